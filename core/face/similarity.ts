/**
 * Calibrated similarity: the raw cosine of two embeddings mapped monotonically onto [0, 1] so that
 * 0.8 (the API document's example threshold) is where genuine and impostor pairs separate best.
 *
 * Mapping: piecewise-linear through KNOTS, exact in both directions. Chosen on the development
 * pictures (bench:face; README.md "Calibration"):
 *   fixtures, 8 identities x 5 photos: genuine cosine min 0.391, median 0.685 (80 pairs);
 *     impostor cosine max 0.254, median 0.013 (700 pairs). Any cosine in (0.254, 0.391) separates
 *     them perfectly.
 *   face-api's sample*.jpg, different people in one photo (23 pairs): max 0.358.
 * 0.8 sits at cosine 0.37, the middle between the largest impostor seen anywhere (0.358) and the
 * smallest genuine (0.391): 100% on the fixtures with margin on both sides. Unrelated faces
 * (cosine ~0) read 0.3, an identical picture (cosine 1) reads 1; negative cosines squeeze into [0, 0.3).
 */
export const KNOTS: ReadonlyArray<readonly [cos: number, sim: number]> = [
  [-1, 0],
  [0, 0.3],
  [0.37, 0.8],
  [1, 1],
];

function interpolate(x: number, from: 0 | 1, to: 0 | 1): number {
  if (Number.isNaN(x)) return NaN;
  const lo = KNOTS[0][from], hi = KNOTS[KNOTS.length - 1][from];
  const v = Math.min(hi, Math.max(lo, x));
  for (let i = 1; i < KNOTS.length; i++) {
    const a = KNOTS[i - 1], b = KNOTS[i];
    if (v <= b[from]) return a[to] + ((v - a[from]) * (b[to] - a[to])) / (b[from] - a[from]);
  }
  return KNOTS[KNOTS.length - 1][to];
}

export function cosineToSimilarity(cos: number): number {
  return interpolate(cos, 0, 1);
}

/** The cosine a pgvector search must reach for a calibrated similarity threshold (cosine distance = 1 - this). */
export function similarityToCosine(sim: number): number {
  return interpolate(sim, 1, 0);
}

/**
 * "Same person" for telling faces apart over time (the stream node's tracks, the matcher's rate
 * limit for strangers), not for recognition (the task's threshold does that). Cosine 0.5, i.e.
 * calibrated similarity 0.84, chosen from the same data as KNOTS (`npm run bench:appearance` prints
 * it): different people reach 0.36 at most (demo photos; fixtures 0.25; 0.44 among 19 demo faces
 * in the same clip conditions, a few perhaps one actor twice), the same face one second apart in a
 * 1 fps clip 0.63 at least (median 0.95-0.99), the same person in different photos 0.39 at least
 * (median 0.69, 7.5% under 0.5). It sits above the recognition knot (0.37) on purpose: wrongly
 * calling two people one loses a person (a track that carries two people, a stranger never
 * recorded), while wrongly calling one person two costs one extra record at most, which the
 * matcher's per-person rate limit absorbs for enrolled people. So the cut keeps a 0.14 margin over
 * the worst impostor and gives up a few of the hardest cross-photo genuine pairs, which a track
 * (consecutive frames) does not meet.
 */
export const SAME_PERSON_COSINE = 0.5;

export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** Calibrated similarity of two embeddings, in [0, 1]. */
export function similarity(a: Float32Array, b: Float32Array): number {
  return cosineToSimilarity(cosine(a, b));
}
