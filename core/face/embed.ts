import type ort from 'onnxruntime-node';
import { EMBEDDING_DIM } from '../constants.ts';
import { ALIGNED_SIZE } from './align.ts';
import type { Rgb } from './types.ts';

/** fr_feature.onnx input: 1x3x112x112 RGB, (x - 127.5) / 128. */
export function embedderTensor(face: Rgb): Float32Array {
  const plane = ALIGNED_SIZE * ALIGNED_SIZE;
  const t = new Float32Array(3 * plane);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    t[i] = (face.data[p] - 127.5) / 128;
    t[i + plane] = (face.data[p + 1] - 127.5) / 128;
    t[i + 2 * plane] = (face.data[p + 2] - 127.5) / 128;
  }
  return t;
}

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** Embedding of one aligned 112x112 crop, L2-normalised so cosine similarity is a dot product. */
export async function embedAligned(session: ort.InferenceSession, Tensor: typeof ort.Tensor, face: Rgb): Promise<Float32Array> {
  const input = new Tensor('float32', embedderTensor(face), [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]);
  const out = await session.run({ [session.inputNames[0]]: input });
  const v = out[session.outputNames[0]].data as Float32Array;
  if (v.length !== EMBEDDING_DIM) throw new Error(`embedder gave ${v.length} values, expected ${EMBEDDING_DIM}`);
  return l2normalise(v);
}
