/**
 * The small SOAP-over-HTTP client under device-client.ts. Written here rather than taken from the
 * `onvif` package's Cam because Cam turns every failure into a bare Error string, runs five calls on
 * connect, bounds only the reply (not the connect) and follows device-supplied XAddrs to any host.
 * We keep the package's XML parsing (namespace-stripping xml2js) so both read SOAP the same way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { isIP } from 'node:net';
import onvifUtils from 'onvif/lib/utils.js';
import { AppError } from '../errors.ts';

/** The longest SOAP answer we read; anything bigger is not a camera we want to talk to. */
export const MAX_SOAP_BYTES = 2 * 1024 * 1024;

export interface Credentials {
  user: string;
  password: string;
}

/** A parsed element: xml2js form, prefixes stripped, first letter lower-cased (GetProfilesResponse → getProfilesResponse). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Xml = any;

export interface SoapFault {
  /** every code / subcode value, e.g. ["env:Sender", "ter:NotAuthorized"] */
  codes: string[];
  reason: string;
}

export type Envelope = { body: Xml; fault?: SoapFault };

/** Text of an xml2js node: plain string, `{_: text}` when it has attributes, or the first of an array. */
export function text(node: Xml): string {
  if (node === undefined || node === null) return '';
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && typeof node._ === 'string') return node._;
  return '';
}

/** `first(x, 'a', 'b')` = x.a[0].b[0], undefined when any step is missing. */
export function first(node: Xml, ...path: string[]): Xml {
  let cur = node;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    cur = cur[key];
  }
  return Array.isArray(cur) ? cur[0] : cur;
}

/** Parses a SOAP envelope; null when the text is not one (HTML page, garbage, plain XML). */
export function parseEnvelope(xml: string): Promise<Envelope | null> {
  return new Promise((resolvePromise) => {
    let settled = false;
    const done = (v: Envelope | null) => {
      if (!settled) {
        settled = true;
        resolvePromise(v);
      }
    };
    try {
      // The package's callback contract: (err, body[], xml); body is null when there is no envelope.
      onvifUtils.parseSOAPString(xml, (_err, body) => {
        if (!body || !Array.isArray(body)) return done(null);
        const fault = first(body, 'fault');
        done({ body: body[0] ?? {}, fault: fault ? readFault(fault) : undefined });
      }, 200);
    } catch {
      done(null);
    }
  });
}

function readFault(fault: Xml): SoapFault {
  const codes: string[] = [];
  const walk = (code: Xml) => {
    if (!code) return;
    const v = text(first(code, 'value'));
    if (v) codes.push(v);
    walk(first(code, 'subcode'));
  };
  walk(first(fault, 'code'));
  const soap11Code = text(first(fault, 'faultcode'));
  if (soap11Code) codes.push(soap11Code);
  const reason = text(first(fault, 'reason', 'text')) || text(first(fault, 'faultstring'));
  return { codes, reason };
}

/** True for the faults cameras use to say "wrong user/password" (ONVIF core spec 5.11.2.2, WS-Security 1.0). */
export function isAuthFault(fault: SoapFault): boolean {
  return [...fault.codes, fault.reason].some((c) => /NotAuthorized|FailedAuthentication|InvalidSecurity|not authori[sz]ed/i.test(c));
}

/**
 * WS-Security UsernameToken with PasswordDigest = Base64(SHA1(nonce + created + password)).
 * `clockOffsetMs` is camera time minus ours, so cameras with replay protection accept `created`.
 */
export function usernameTokenHeader({ user, password }: Credentials, clockOffsetMs = 0): string {
  const nonce = randomBytes(16);
  const created = new Date(Date.now() + clockOffsetMs).toISOString().replace(/\.\d+Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + password, 'utf8')])).digest('base64');
  return (
    '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    '<UsernameToken>' +
    `<Username>${escapeXml(user)}</Username>` +
    '<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">' +
    `${digest}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>` +
    '</UsernameToken></Security>'
  );
}

export function envelope(body: string, header = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" ' +
    'xmlns:tt="http://www.onvif.org/ver10/schema">' +
    (header ? `<s:Header>${header}</s:Header>` : '') +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export interface SoapTarget {
  /** the checked IP to connect to (never a name: resolution happened in the address policy) */
  ip: string;
  port: number;
  /** what goes in the Host header: the name or IP the user typed */
  hostHeader: string;
  path: string;
}

export interface SoapResponse {
  status: number;
  envelope: Envelope;
}

/**
 * POSTs one SOAP envelope and parses the answer, all within `timeoutMs` (connect, send, read; an HTTP
 * Digest retry shares the same bound). Errors: CAMERA_UNREACHABLE (refused, no route, reset),
 * CAMERA_TIMEOUT, NOT_ONVIF (the answer is not a SOAP envelope, or is too large),
 * CAMERA_AUTH_FAILED (HTTP 401/403 without a SOAP body, after one Digest retry when `httpCreds` are
 * given: ONVIF devices may ask for HTTP Digest instead of, or on top of, WS-Security). A SOAP fault is
 * returned in `envelope.fault` for the caller to judge.
 */
export async function postSoap(
  target: SoapTarget,
  action: string,
  xml: string,
  timeoutMs: number,
  httpCreds?: Credentials,
): Promise<SoapResponse> {
  const deadline = Date.now() + timeoutMs;
  const answer = await postOnce(target, action, xml, timeoutMs);
  if ('envelope' in answer) return answer;
  if (httpCreds && answer.challenge) {
    const authorization = digestAuthorization(answer.challenge, httpCreds, 'POST', target.path);
    if (authorization) {
      const retry = await postOnce(target, action, xml, Math.max(1, deadline - Date.now()), authorization);
      if ('envelope' in retry) return retry;
    }
  }
  throw new AppError('CAMERA_AUTH_FAILED', `camera at ${target.hostHeader} refused ${actionName(action)}: authentication required`);
}

const actionName = (action: string) => action.slice(action.lastIndexOf('/') + 1);

/**
 * RFC 7616 Digest (MD5 or SHA-256, qop=auth or none) for the first challenge we can answer;
 * undefined when none is (e.g. MD5-sess only).
 */
export function digestAuthorization(challenges: string[], creds: Credentials, method: string, uri: string): string | undefined {
  for (const header of challenges) {
    const p: Record<string, string> = {};
    for (const m of header.replace(/^\s*Digest\s+/i, '').matchAll(/([a-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/gi)) {
      p[m[1].toLowerCase()] = m[2] ?? m[3];
    }
    const alg = (p.algorithm ?? 'MD5').toUpperCase();
    const hashName = alg === 'MD5' ? 'md5' : alg === 'SHA-256' ? 'sha256' : undefined;
    if (!hashName || p.realm === undefined || !p.nonce) continue;
    const h = (v: string) => createHash(hashName).update(v, 'utf8').digest('hex');
    const qop = p.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
    const ha1 = h(`${creds.user}:${p.realm}:${creds.password}`);
    const ha2 = h(`${method}:${uri}`);
    const nc = '00000001';
    const cnonce = randomBytes(8).toString('hex');
    const response = qop ? h(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
    const q = (v: string) => `"${v.replace(/["\\]/g, '')}"`;
    return (
      `Digest username=${q(creds.user)}, realm=${q(p.realm)}, nonce=${q(p.nonce)}, uri=${q(uri)}, algorithm=${alg}, response="${response}"` +
      (p.opaque !== undefined ? `, opaque=${q(p.opaque)}` : '') +
      (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '')
    );
  }
  return undefined;
}

type Once = SoapResponse | { status: number; challenge?: string[] };

function postOnce(target: SoapTarget, action: string, xml: string, timeoutMs: number, authorization?: string): Promise<Once> {
  const where = `${isIP(target.ip) === 6 ? `[${target.ip}]` : target.ip}:${target.port}`;
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const finish = (v: Once) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(v);
    };
    const fail = (e: AppError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new AppError('CAMERA_TIMEOUT', `camera at ${where} did not answer ${actionName(action)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const body = Buffer.from(xml, 'utf8');
    const req = request({
      host: target.ip,
      port: target.port,
      path: target.path,
      method: 'POST',
      agent: false,
      headers: {
        Host: target.hostHeader,
        'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"`,
        'Content-Length': body.length,
        ...(authorization ? { Authorization: authorization } : {}),
      },
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(new AppError('CAMERA_UNREACHABLE', `camera at ${where} is unreachable (${err.code ?? 'connection failed'})`, { cause: err }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_SOAP_BYTES) {
          fail(new AppError('NOT_ONVIF', `device at ${where} answered ${actionName(action)} with more than ${MAX_SOAP_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new AppError('CAMERA_UNREACHABLE', `camera at ${where} closed the connection`, { cause: err })));
      res.on('end', () => {
        if (settled) return;
        const status = res.statusCode ?? 0;
        // several WWW-Authenticate headers may come (MD5 and SHA-256): rawHeaders keeps them apart
        const challenge = res.rawHeaders.filter((v, k) => k % 2 === 1 && /^www-authenticate$/i.test(res.rawHeaders[k - 1]) && /^\s*Digest\s/i.test(v));
        // a Digest challenge wins over any SOAP fault in the same 401: answering it may succeed
        if (status === 401 && challenge.length) return finish({ status, challenge });
        parseEnvelope(Buffer.concat(chunks).toString('utf8')).then((env) => {
          if (env) return finish({ status, envelope: env });
          if (status === 401 || status === 403) return finish({ status });
          fail(new AppError('NOT_ONVIF', `device at ${where} answered ${actionName(action)} without a SOAP envelope`));
        });
      });
    });
    req.end(body);
  });
}
