/**
 * multipart/form-data read as it streams in (@fastify/busboy), so that nothing big is read for a
 * caller who has no session: `authorize` runs on the first part, before another byte is taken from
 * the socket. The number of parts and the size of each field are bounded.
 */
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { AppError } from '../../core/errors.ts';
import { ClientAbort } from './http.ts';

export type UploadedFile = { filename: string; type: string; data: Buffer };

export type MultipartLimits = {
  /** whole body (BODY_TOO_LARGE beyond) */
  maxBytes: number;
  /** parts of any kind (TOO_MANY_FIELDS beyond) */
  maxParts: number;
  /** one text field's value (INVALID_FIELD beyond) */
  maxFieldBytes: number;
};

/**
 * Reads the form. `authorize(session)` is awaited once, when the first part arrives, with the value
 * of that part when it is a text field named `session`, else undefined; it throws to refuse.
 */
export async function readMultipart(req: Request, limits: MultipartLimits, authorize: (session: string | undefined) => Promise<void>): Promise<Record<string, unknown>> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new AppError('UNSUPPORTED_CONTENT_TYPE', 'content-type: must be multipart/form-data');
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({
      headers: { 'content-type': type },
      limits: { parts: limits.maxParts, fields: limits.maxParts, files: limits.maxParts, fieldSize: limits.maxFieldBytes, fieldNameSize: 100, headerPairs: 8, fileSize: limits.maxBytes },
    });
  } catch {
    throw new AppError('MALFORMED_JSON', 'body is not valid multipart/form-data (boundary missing)');
  }
  const out: Record<string, unknown> = {};
  let failure: unknown;
  const fail = (e: unknown) => { failure ??= e; };
  let authorized: Promise<void> | undefined;
  const first = (session: string | undefined) => { authorized ??= authorize(session).catch((e) => { fail(e); }); };
  const files: Promise<void>[] = [];
  const put = (key: string, value: unknown) => {
    if (key in out) fail(new AppError('INVALID_FIELD', `${key}: must be given once`));
    out[key] = value;
  };

  bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
    first(name === 'session' ? value : undefined);
    if (valueTruncated) fail(new AppError('INVALID_FIELD', `${name}: longer than ${limits.maxFieldBytes} bytes`));
    put(name, value);
  });
  bb.on('file', (name: string, stream: BusboyFileStream, filename: string, _enc: string, mimeType: string) => {
    first(undefined);
    const chunks: Buffer[] = [];
    files.push(new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => { if (!failure) chunks.push(c); });
      stream.on('limit', () => fail(new AppError('BODY_TOO_LARGE', `request body is larger than ${limits.maxBytes} bytes`)));
      stream.on('end', () => { put(name, { filename, type: mimeType, data: Buffer.concat(chunks) } satisfies UploadedFile); resolve(); });
      stream.on('error', (e) => { fail(e); resolve(); });
    }));
  });
  const tooMany = () => fail(new AppError('TOO_MANY_FIELDS', `form: more than ${limits.maxParts} parts`));
  bb.on('partsLimit', tooMany);
  bb.on('fieldsLimit', tooMany);
  bb.on('filesLimit', tooMany);
  const finished = new Promise<void>((resolve) => {
    bb.on('finish', resolve);
    bb.on('error', () => { fail(new AppError('MALFORMED_JSON', 'body is not valid multipart/form-data')); resolve(); });
  });

  const reader = req.body?.getReader();
  let size = 0;
  try {
    for (;;) {
      if (authorized) await authorized;
      if (failure) break;
      const { done, value } = await readChunk(reader);
      if (done || !value) break;
      size += value.byteLength;
      if (size > limits.maxBytes) { fail(new AppError('BODY_TOO_LARGE', `request body is larger than ${limits.maxBytes} bytes`)); break; }
      if (!bb.write(value)) await new Promise<void>((r) => bb.once('drain', r));
    }
    if (!failure) {
      bb.end();
      await finished;
      await Promise.all(files);
      if (authorized) await authorized;
      else await authorize(undefined); // an empty form: the header must carry the session
    }
  } finally {
    if (failure || size > limits.maxBytes) await reader?.cancel().catch(() => {});
  }
  if (failure) throw failure;
  return out;
}

/** A chunk from the client; a dropped connection surfaces as ClientAbort (see http.ts). */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array> | undefined): Promise<{ done: boolean; value?: Uint8Array }> {
  if (!reader) return { done: true, value: undefined };
  try {
    return await reader.read();
  } catch (e) {
    throw new ClientAbort(e);
  }
}
