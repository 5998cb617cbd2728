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

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL', 'ENETDOWN', 'ECONNABORTED',
]);

/**
 * POSTs one SOAP envelope and parses the answer, all within `timeoutMs` (connect, send, read).
 * Errors: CAMERA_UNREACHABLE (refused, no route, reset), CAMERA_TIMEOUT, NOT_ONVIF (the answer is not a
 * SOAP envelope, or is too large). HTTP 401/403 without a SOAP body → CAMERA_AUTH_FAILED. A SOAP fault
 * is returned in `envelope.fault` for the caller to judge.
 */
export function postSoap(target: SoapTarget, action: string, xml: string, timeoutMs: number): Promise<SoapResponse> {
  const where = `${isIP(target.ip) === 6 ? `[${target.ip}]` : target.ip}:${target.port}`;
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const fail = (e: AppError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new AppError('CAMERA_TIMEOUT', `camera at ${where} did not answer ${action} within ${timeoutMs} ms`)),
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
      },
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      fail(
        new AppError(
          'CAMERA_UNREACHABLE',
          `camera at ${where} is unreachable${UNREACHABLE_CODES.has(code) || code ? ` (${code})` : `: ${err.message}`}`,
          { cause: err },
        ),
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_SOAP_BYTES) {
          fail(new AppError('NOT_ONVIF', `device at ${where} answered ${action} with more than ${MAX_SOAP_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new AppError('CAMERA_UNREACHABLE', `camera at ${where} closed the connection: ${err.message}`, { cause: err })));
      res.on('end', () => {
        if (settled) return;
        const textBody = Buffer.concat(chunks).toString('utf8');
        parseEnvelope(textBody).then((env) => {
          if (settled) return;
          if (!env) {
            if (res.statusCode === 401 || res.statusCode === 403) {
              fail(new AppError('CAMERA_AUTH_FAILED', `camera at ${where} refused ${action} with HTTP ${res.statusCode}`));
            } else {
              fail(new AppError('NOT_ONVIF', `device at ${where} answered ${action} with HTTP ${res.statusCode} and no SOAP envelope`));
            }
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolvePromise({ status: res.statusCode ?? 0, envelope: env });
        });
      });
    });
    req.end(body);
  });
}
