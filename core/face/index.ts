/** The face engine's public surface, shared by the API and the stream nodes. Internals stay in sibling modules. */
export type { RawFrame, ImageInput, Point, Box, DetectedFace, EmbeddedFace, ImageInfo, ImageLimits } from './types.ts';
export { createFaceEngine, type FaceEngine, type FaceEngineOptions } from './engine.ts';
export { similarity, cosineToSimilarity, similarityToCosine, SAME_PERSON_COSINE } from './similarity.ts';
export { probeImage, readImageInfo, DEFAULT_LIMITS } from './image.ts';
