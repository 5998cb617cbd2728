/**
 * npm run bench:appearance [-- <fixtures dir>]: the data behind the tracker's two cut-offs.
 *
 * - SAME_PERSON_COSINE (core/face/similarity.ts): is this embedding the same person as that one?
 * - SIGNATURE_SAME (core/face/signature.ts): has the face at this spot changed enough to be worth an
 *   embedding?
 *
 * Each face of the face-api demo photos (every clone has them) is cropped and slid across a 1280x720
 * H.264 clip with sensor noise, at face widths of 60, 100 and 200 px, one frame a second decoded
 * and scaled to 960 px as the stream node does; each frame goes through the face engine's own
 * detection (landmarks, alignment, signature) and embedding. Printed per face size:
 * - same: consecutive frames of one clip (a track from one second to the next);
 * - other: frames of two clips (two faces at the same moment in the same conditions). The demo
 *   photos show some people twice, so a few "other" pairs are the same person: their top end is a
 *   pessimistic bound;
 * with the share of pairs under each cut-off (for `same`, what a cut-off costs: embeddings, or false
 * splits; for `other`, what it catches). With a fixtures dir (identities/<name>/<n>.png, e.g. the dev
 * fixtures), also the same statistics over different photos of the same person and of different
 * people: a harder case than a track's consecutive frames.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { alignFace } from '../../core/face/align.ts';
import { loadSessions, DEFAULT_MODELS_DIR } from '../../core/face/models.ts';
import { detectFaces, embedFace } from '../../core/face/pipeline.ts';
import { cosine, SAME_PERSON_COSINE } from '../../core/face/similarity.ts';
import { faceSignature, SIGNATURE_SAME, signatureSimilarity } from '../../core/face/signature.ts';
import type { Rgb } from '../../core/face/types.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { demoPhotos } from '../stream-node/helpers.ts';

const run = promisify(execFile);
const sessions = await loadSessions(DEFAULT_MODELS_DIR, 2, { arena: true });
type Face = { emb: Float32Array; sig: Float32Array };

const rgbOf = async (buf: Buffer): Promise<Rgb> => {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
};
/** the best face of an image, with its embedding and signature */
async function faceOf(img: Rgb): Promise<Face | undefined> {
  const f = (await detectFaces(sessions, img)).sort((a, b) => b.quality - a.quality)[0];
  return f && { emb: await embedFace(sessions, img, f.landmarks), sig: faceSignature(alignFace(img, f.landmarks)) };
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(3);
  return `n=${s.length} min ${p(0)} p5 ${p(0.05)} median ${p(0.5)} p95 ${p(0.95)} max ${p(1)}`;
};
const under = (xs: number[], cut: number) => `${((100 * xs.filter((x) => x < cut).length) / xs.length).toFixed(1)}% under ${cut}`;
function report(what: string, same: Face[][], other: Array<[Face, Face]>) {
  const pairs = same.flatMap((seq) => seq.slice(1).map((f, i) => [seq[i], f] as [Face, Face]));
  for (const [name, score, cut] of [['embedding cosine', (a: Face, b: Face) => cosine(a.emb, b.emb), SAME_PERSON_COSINE], ['signature', (a: Face, b: Face) => signatureSimilarity(a.sig, b.sig), SIGNATURE_SAME]] as const) {
    const s = pairs.map(([a, b]) => score(a, b)), o = other.map(([a, b]) => score(a, b));
    console.log(`  ${what}, ${name}:\n    same  ${stats(s)}  ${under(s, cut)}\n    other ${stats(o)}  ${under(o, cut)}`);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'facewatch-bench-appearance-'));
try {
  console.log(`bench:appearance  ${new Date().toISOString()}  load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`cut-offs: SAME_PERSON_COSINE ${SAME_PERSON_COSINE}, SIGNATURE_SAME ${SIGNATURE_SAME}`);
  // every face of the demo photos good enough to be recorded at its own size
  const crops: Buffer[] = [];
  for (let n = 1; n <= 6; n++) {
    const photo = readFileSync(join(demoPhotos, `sample${n}.jpg`));
    const { width = 0, height = 0 } = await sharp(photo).metadata();
    for (const d of (await detectFaces(sessions, await rgbOf(photo))).filter((f) => f.quality >= 0.2)) {
      const left = Math.max(0, Math.round(d.box.x - d.box.width * 0.6)), top = Math.max(0, Math.round(d.box.y - d.box.height * 0.6));
      crops.push(await sharp(photo).extract({ left, top, width: Math.min(width - left, Math.round(d.box.width * 2.2)), height: Math.min(height - top, Math.round(d.box.height * 2.2)) }).jpeg().toBuffer());
    }
  }
  console.log(`${crops.length} faces from the demo photos, each sliding 60 px/s across a 1280x720 clip for 8 s, a frame a second at 960 px`);
  for (const faceWidth of [60, 100, 200]) {
    const seqs: Face[][] = [];
    for (let k = 0; k < crops.length; k++) {
      const still = join(dir, `f${k}.jpg`);
      await writeFile(still, crops[k]);
      const clip = await makeTestVideo({ foreground: still, out: join(dir, `f${k}.h264`), width: 1280, height: 720, seconds: 8, gop: 25, foregroundWidth: faceWidth * 2.2, speed: 60, noise: 6, bitrate: '2M' });
      const { stdout } = await run('ffmpeg', ['-loglevel', 'error', '-i', clip, '-vf', 'fps=1,scale=960:540', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 1 << 28 });
      const seq: Face[] = [];
      const size = 960 * 540 * 3;
      for (let o = 0; o + size <= stdout.length; o += size) {
        const f = await faceOf({ data: stdout.subarray(o, o + size), width: 960, height: 540 });
        if (f) seq.push(f);
      }
      seqs.push(seq);
    }
    const other: Array<[Face, Face]> = [];
    for (let a = 0; a < seqs.length; a++) for (let b = a + 1; b < seqs.length; b++) for (let i = 0; i < Math.min(seqs[a].length, seqs[b].length); i += 3) other.push([seqs[a][i], seqs[b][i]]);
    report(`faces ~${faceWidth} px in 1280`, seqs, other);
  }
  const fixtures = process.argv[2];
  if (fixtures && existsSync(join(fixtures, 'identities'))) {
    const byId = new Map<string, Face[]>();
    for (const id of readdirSync(join(fixtures, 'identities')).sort()) {
      for (const file of readdirSync(join(fixtures, 'identities', id)).sort()) {
        const f = await faceOf(await rgbOf(readFileSync(join(fixtures, 'identities', id, file))));
        if (f) byId.set(id, [...(byId.get(id) ?? []), f]);
      }
    }
    const all = [...byId].flatMap(([id, fs]) => fs.map((f) => ({ id, f })));
    const same: Face[][] = [], other: Array<[Face, Face]> = [];
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) {
      if (all[i].id === all[j].id) same.push([all[i].f, all[j].f]);
      else other.push([all[i].f, all[j].f]);
    }
    report(`${fixtures}: different photos (same: one person)`, same, other);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
