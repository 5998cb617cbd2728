/** Shapes shared by every face-engine module and by its callers (API, stream node). */

/** Packed RGB24, row-major, no padding: what ffmpeg hands the stream node. */
export type RawFrame = { data: Buffer | Uint8Array; width: number; height: number; channels: 3 };
/** Encoded file bytes (JPEG/PNG/BMP/WebP), or a raw frame. */
export type ImageInput = Buffer | Uint8Array | RawFrame;
export type Point = [number, number];
export type Box = { x: number; y: number; width: number; height: number };
/** Landmarks in order: left eye, right eye, nose, left mouth corner, right mouth corner (image left/right). */
export type Landmarks = [Point, Point, Point, Point, Point];
export type DetectedFace = {
  box: Box; score: number; landmarks: Landmarks; quality: number /* 0..1 */;
  /** from detect(): the cheap appearance signature of core/face/signature.ts (the stream node's tracker) */
  signature?: Float32Array;
};
export type EmbeddedFace = DetectedFace & { embedding: Float32Array /* EMBEDDING_DIM, L2-normalised */ };
export type ImageInfo = { format: 'jpeg' | 'png' | 'bmp' | 'webp'; width: number; height: number };
export type ImageLimits = { maxBytes?: number; maxPixels?: number };

/** Decoded pixels the engine works on: packed RGB24. */
export type Rgb = { data: Uint8Array; width: number; height: number };
