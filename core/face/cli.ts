import { readFile } from 'node:fs/promises';
import { isAppError } from '../errors.ts';
import { createFaceEngine, similarity } from './index.ts';

/**
 * For people and scripts:
 *   npm run face -- detect img.jpg        JSON list of faces (box, score, landmarks, quality)
 *   npm run face -- compare a.jpg b.jpg   JSON { similarity } (calibrated, 0..1) of the single face in each
 * Errors print as JSON { code, kind, msg } on stderr with exit code 1.
 */
const usage = 'usage: face detect <image> | face compare <image-a> <image-b>';

async function main(argv: string[]): Promise<unknown> {
  const [cmd, ...files] = argv;
  const engine = createFaceEngine();
  try {
    if (cmd === 'detect' && files.length === 1) {
      // the tracker's signature is 256 numbers of no use to a person reading the output
      return { faces: (await engine.detect(await readFile(files[0]))).map(({ signature: _s, ...f }) => f) };
    }
    if (cmd === 'compare' && files.length === 2) {
      const [a, b] = await Promise.all(files.map(async (f) => engine.enrol(await readFile(f))));
      return { similarity: Number(similarity(a.embedding, b.embedding).toFixed(4)) };
    }
    throw new Error(usage);
  } finally {
    await engine.close();
  }
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${JSON.stringify(out, null, 2)}\n`),
  (e: unknown) => {
    const err = isAppError(e) ? { code: e.code, kind: e.kind, msg: e.message } : { msg: (e as Error).message };
    process.stderr.write(`${JSON.stringify(err)}\n`);
    process.exitCode = 1;
  },
);
