/**
 * What the services need from the object store and the face engine: the contracts of core/storage
 * and core/face, restated here so business rules depend on a shape, not on a module. The composition
 * root (functions/services/index.ts) plugs the real implementations in.
 */
export interface ObjectStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** AppError PICTURE_NOT_FOUND when absent */
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /** AppError STORAGE_UNAVAILABLE when the store does not answer */
  check(): Promise<void>;
  describe(): string;
}

export type StorageConfig =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region?: string; forcePathStyle?: boolean };

export type ImageInfo = { format: 'jpeg' | 'png' | 'bmp' | 'webp'; width: number; height: number };

export interface FaceEngine {
  /** exactly one usable face, or AppError NO_FACE / MULTIPLE_FACES / FACE_TOO_SMALL / ... */
  enrol(img: Buffer): Promise<{ embedding: Float32Array; quality: number }>;
  close(): Promise<void> | void;
}

export interface FaceModule {
  createFaceEngine(opts?: { threads?: number }): FaceEngine;
  similarity(a: Float32Array, b: Float32Array): number;
  probeImage(buf: Buffer, limits?: { maxBytes?: number; maxPixels?: number }): Promise<ImageInfo>;
}
