/**
 * Outbound webhook POSTs: the body signed with HMAC-SHA256 of the shared secret, sent only to an
 * address the policy allows. The host name is resolved through the policy at connect time (the
 * socket's `lookup`), so the address checked is the address connected to, every time: a name that
 * later resolves elsewhere (DNS rebinding) is checked again. Redirects are not followed (a 3xx is a
 * failure), and a failure is described by its class — HTTP status, refused, timeout, not allowed —
 * never by the receiver's body.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isAppError } from '../errors.ts';
import type { AddressPolicy } from '../net/address-policy.ts';

/** `sha256=<hex>` of `body` with `secret`: the X-Facewatch-Signature header */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type SendResult = { ok: true; status: number } | { ok: false; error: string };

export interface WebhookSender {
  post(url: URL, body: string, headers: Record<string, string>): Promise<SendResult>;
  close(): void;
}

/** What an answer-less failure was, in words that name no body and no local detail. */
function describe(e: unknown, timeoutMs: number): string {
  if (isAppError(e)) return e.kind === 'ADDRESS_NOT_ALLOWED' ? 'address not allowed (WEBHOOK_ALLOWED_RANGES)' : 'host name does not resolve';
  const err = e as NodeJS.ErrnoException;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': case 'EPIPE': return 'connection reset';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host name does not resolve';
    default: return err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') ? 'TLS error' : `network error${err.code ? ` (${err.code})` : ''}`;
  }
}

export function createWebhookSender(opts: { policy: AddressPolicy; timeoutMs: number; userAgent?: string }): WebhookSender {
  const { policy, timeoutMs } = opts;
  // every address of a name is checked, and the first allowed one connected to (policy.resolve)
  const lookup: LookupFunction = (hostname, options, callback) => {
    policy.resolve(hostname, timeoutMs).then(
      (address) => {
        const family = isIP(address);
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (e: unknown) => callback(e as NodeJS.ErrnoException, '', 0),
    );
  };
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16, lookup } as http.AgentOptions),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16, lookup } as https.AgentOptions),
  };
  return {
    async post(url, body, headers) {
      try {
        // an IP literal never goes through lookup: check it here
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (isIP(host)) await policy.resolve(host, timeoutMs);
        const status = await new Promise<number>((resolve, reject) => {
          const lib = url.protocol === 'https:' ? https : http;
          const req = lib.request(url, {
            method: 'POST',
            agent: agents[url.protocol as 'http:' | 'https:'],
            lookup,
            signal: AbortSignal.timeout(timeoutMs),
            headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': opts.userAgent ?? 'facewatch-webhook', ...headers },
          }, (res) => {
            res.resume(); // the body is not read: drained and dropped
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        });
        if (status >= 200 && status < 300) return { ok: true, status };
        return { ok: false, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
      } catch (e) {
        return { ok: false, error: describe(e, timeoutMs) };
      }
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
