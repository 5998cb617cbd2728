/**
 * Compression of large answers (paged lists, base64 pictures, the API description, the docs page's
 * scripts) for clients that accept it: br (preferred) or gzip, from MIN_BYTES up. Compressed on
 * libuv's thread pool (node:zlib's async calls), never on the event loop; brotli at quality 4, which
 * on JSON gets close to gzip -9's size at a fraction of brotli's default cost (quality 11).
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

const MIN_BYTES = 1024;
const COMPRESSIBLE = /^(application\/json|text\/|application\/javascript)/;
const br = promisify(brotliCompress);
const gz = promisify(gzip);

/** the encoding to use for an Accept-Encoding header: br, gzip or none (q=0 refuses one) */
export function chooseEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  const q = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qv = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) q.set(name, qv === undefined ? 1 : Number(qv));
  }
  const ok = (e: string) => (q.get(e) ?? (q.get('*') ?? 0)) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined;
}

export function compress(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    // an event stream (GET /Events) is never buffered: it would wait for the stream's end
    if (!res.body || res.headers.has('content-encoding') || !COMPRESSIBLE.test(type) || type.startsWith('text/event-stream')) return;
    if (Number(res.headers.get('content-length') ?? Infinity) < MIN_BYTES) return;
    res.headers.append('Vary', 'Accept-Encoding');
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (!encoding) return;
    const body = Buffer.from(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    let out: Buffer = body;
    if (body.length >= MIN_BYTES) {
      out = encoding === 'br'
        ? await br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : await gz(body, { level: 6 });
      headers.set('content-encoding', encoding);
    }
    headers.set('content-length', String(out.length));
    // c.res merges the old response's headers into a new one: clear it first
    c.res = undefined;
    c.res = new Response(out, { status: res.status, headers });
  };
}
