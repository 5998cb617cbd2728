import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Rgb } from '../../core/face/types.ts';

/**
 * The peer for bench:face: @vladmandic/face-api (SSD MobileNet v1 + 68 landmarks + ResNet-34
 * descriptor) on tfjs's WASM backend, loaded from node_modules only. tfjs fetches its .wasm with
 * fetch(), which Node cannot do for file paths, so the bench serves those paths from disk.
 */
const require = createRequire(import.meta.url);

export type Peer = {
  backend: string;
  detect(img: Rgb): Promise<number>;
  landmarks(img: Rgb): Promise<number>;
  /** Descriptors (128-d) of all faces, largest first. */
  describe(img: Rgb): Promise<Float32Array[]>;
};

export async function loadPeer(): Promise<Peer> {
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const wasmDir = `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const s = String(url);
    if (s.startsWith(wasmDir)) return new Response(readFileSync(s), { headers: { 'content-type': 'application/wasm' } });
    return realFetch(url, init);
  }) as typeof fetch;
  wasm.setWasmPaths(wasmDir, true);
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const opts = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  const withTensor = async <T>(img: Rgb, f: (t: unknown) => Promise<T>): Promise<T> => {
    const t = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    try {
      return await f(t);
    } finally {
      t.dispose();
    }
  };
  type Found = { detection: { box: { width: number; height: number } }; descriptor: Float32Array };
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads' : 'single thread';
  return {
    backend: `${tf.getBackend()} (tfjs ${tf.version_core}, ${simd}, ${threads}), face-api ${faceapi.version}`,
    detect: (img) => withTensor(img, async (t) => (await faceapi.detectAllFaces(t, opts)).length),
    landmarks: (img) => withTensor(img, async (t) => (await faceapi.detectAllFaces(t, opts).withFaceLandmarks()).length),
    describe: (img) =>
      withTensor(img, async (t) => {
        const found: Found[] = await faceapi.detectAllFaces(t, opts).withFaceLandmarks().withFaceDescriptors();
        const area = (f: Found) => f.detection.box.width * f.detection.box.height;
        return found.sort((a, b) => area(b) - area(a)).map((f) => f.descriptor);
      }),
  };
}
