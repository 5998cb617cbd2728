/**
 * A simulated ONVIF camera for the tests: a WS-Discovery responder (UDP: a unicast port, or the
 * multicast group joined on one interface) and an HTTP SOAP endpoint for the device service
 * (GetSystemDateAndTime, GetCapabilities, GetDeviceInformation) and the media service (GetProfiles,
 * GetStreamUri), checking WS-Security UsernameToken digests like a real camera (NotAuthorized fault).
 * Binds to loopback (or the address given) only; close() frees everything.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OnvifSimOptions {
  /** address to bind HTTP (and the unicast UDP responder) to; default 127.0.0.1 */
  host?: string;
  manufacturer?: string;
  model?: string;
  /** put onvif://www.onvif.org/name/<manufacturer> and /hardware/<model> in the scopes (default true) */
  scopesNameManufacturer?: boolean;
  /** send every ProbeMatches twice */
  answerTwice?: boolean;
  /** number of media profiles (default 2: main + sub) */
  profiles?: number;
  /** when set, every call but GetSystemDateAndTime needs a UsernameToken digest of this user/password */
  user?: string;
  password?: string;
  /** check credentials by HTTP Digest (401 challenges for SHA-256 and MD5) instead of WS-Security */
  httpDigest?: boolean;
  /** GetDeviceInformation answers without credentials even when user is set (default true) */
  infoWithoutAuth?: boolean;
  /** host the device advertises in its media XAddr (default: the Host header it was asked with) */
  mediaXAddrHost?: string;
  /** discovery: unicast responder on `host` (default), multicast group joined on this interface address, or none */
  discovery?: { mode: 'unicast' } | { mode: 'multicast'; interfaceAddress: string; port?: number } | { mode: 'none' };
  /** delay before every HTTP answer, for timeout tests */
  answerDelayMs?: number;
  /** the RTSP port in GetStreamUri answers (default 554), e.g. a real test RTSP server's */
  rtspPort?: number;
}

export interface OnvifSim {
  /** what /QueryCameraRtsp takes: "127.0.0.1:PORT" */
  ip: string;
  httpPort: number;
  /** the UDP port of the discovery responder (3702 in multicast mode) */
  udpPort: number;
  endpoint: string;
  /** SOAP actions received, in order (e.g. "GetProfiles") */
  actions: string[];
  probes: number;
  close(): Promise<void>;
}

const GROUP = '239.255.255.250';

export async function startOnvifSim(opts: OnvifSimOptions = {}): Promise<OnvifSim> {
  const host = opts.host ?? '127.0.0.1';
  const manufacturer = opts.manufacturer ?? 'SimCam';
  const model = opts.model ?? 'SC-100';
  const profiles = opts.profiles ?? 2;
  const endpoint = `urn:uuid:${randomUUID()}`;
  const actions: string[] = [];
  let probes = 0;
  const digestNonce = randomUUID().replace(/-/g, '');

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const answer = () => handle(req, res, body);
        if (opts.answerDelayMs) setTimeout(answer, opts.answerDelayMs);
        else answer();
      })
      .catch(() => res.destroy());
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const action = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1] ?? '';
    actions.push(action);
    const hostHeader = req.headers.host ?? `${host}:${httpPort}`;
    const send = (status: number, inner: string) => {
      res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.end(soap(inner));
    };
    const needsAuth = opts.user !== undefined && action !== 'GetSystemDateAndTime' && !(action === 'GetDeviceInformation' && opts.infoWithoutAuth !== false);
    if (needsAuth && opts.httpDigest) {
      if (!validDigest(req, opts.user!, opts.password ?? '', digestNonce)) {
        res.writeHead(401, {
          'WWW-Authenticate': [
            `Digest realm="sim", qop="auth", nonce="${digestNonce}", algorithm=SHA-256`,
            `Digest realm="sim", qop="auth", nonce="${digestNonce}", algorithm=MD5, opaque="o1"`,
          ],
          'Content-Type': 'text/html',
        });
        return res.end('<html><body>401 Unauthorized</body></html>');
      }
    } else if (needsAuth && !validToken(body, opts.user!, opts.password ?? '')) {
      return send(400, fault('env:Sender', 'ter:NotAuthorized', 'Sender not Authorized'));
    }
    switch (action) {
      case 'GetSystemDateAndTime': {
        const d = new Date();
        return send(
          200,
          '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>' +
            '<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime>' +
            `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
            `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>` +
            '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
        );
      }
      case 'GetCapabilities':
        return send(
          200,
          '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
            `<tt:Device><tt:XAddr>http://${hostHeader}/onvif/device_service</tt:XAddr></tt:Device>` +
            `<tt:Media><tt:XAddr>http://${opts.mediaXAddrHost ?? hostHeader}/onvif/media_service</tt:XAddr></tt:Media>` +
            '</tds:Capabilities></tds:GetCapabilitiesResponse>',
        );
      case 'GetDeviceInformation':
        return send(
          200,
          `<tds:GetDeviceInformationResponse><tds:Manufacturer>${manufacturer}</tds:Manufacturer><tds:Model>${model}</tds:Model>` +
            '<tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>0001</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId>' +
            '</tds:GetDeviceInformationResponse>',
        );
      case 'GetProfiles': {
        let list = '';
        for (let i = 0; i < profiles; i++) {
          list +=
            `<trt:Profiles token="profile_${i + 1}" fixed="true"><tt:Name>${i === 0 ? 'main' : `sub${i}`}</tt:Name>` +
            `<tt:VideoEncoderConfiguration token="venc_${i + 1}"><tt:Name>venc</tt:Name><tt:Encoding>H264</tt:Encoding></tt:VideoEncoderConfiguration>` +
            '</trt:Profiles>';
        }
        return send(200, `<trt:GetProfilesResponse>${list}</trt:GetProfilesResponse>`);
      }
      case 'GetStreamUri': {
        const token = /<(?:\w+:)?ProfileToken>([^<]*)</.exec(body)?.[1] ?? '';
        const n = /^profile_(\d+)$/.exec(token)?.[1];
        if (!n || Number(n) > profiles) return send(400, fault('env:Sender', 'ter:InvalidArgVal', 'No such profile'));
        const rtspHost = hostHeader.replace(/:\d+$/, '');
        return send(
          200,
          `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://${rtspHost}:${opts.rtspPort ?? 554}/Streaming/Channels/${n}01</tt:Uri>` +
            '<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>' +
            '<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>',
        );
      }
      default:
        return send(400, fault('env:Receiver', 'ter:ActionNotSupported', `${action} is not supported`));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const httpPort = (server.address() as AddressInfo).port;
  const ip = `${host.includes(':') ? `[${host}]` : host}:${httpPort}`;

  const scopes = [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Profile/Streaming',
    ...(opts.scopesNameManufacturer === false
      ? []
      : [`onvif://www.onvif.org/name/${encodeURIComponent(manufacturer)}`, `onvif://www.onvif.org/hardware/${encodeURIComponent(model)}`]),
    'onvif://www.onvif.org/location/country/nowhere',
  ];

  let udp: Socket | undefined;
  let udpPort = 0;
  const mode = opts.discovery ?? { mode: 'unicast' };
  if (mode.mode !== 'none') {
    udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      const text = msg.toString('utf8');
      if (!/<(?:[\w-]+:)?Probe[\s>]/.test(text)) return;
      probes++;
      const relatesTo = /<(?:[\w-]+:)?MessageID[^>]*>([^<]*)</.exec(text)?.[1] ?? '';
      const reply = Buffer.from(probeMatches(relatesTo, endpoint, `http://${ip}/onvif/device_service`, scopes.join(' ')));
      const times = opts.answerTwice ? 2 : 1;
      for (let i = 0; i < times; i++) udp!.send(reply, rinfo.port, rinfo.address);
    });
    if (mode.mode === 'multicast') {
      const s = udp;
      await new Promise<void>((resolve) => s.bind(mode.port ?? 3702, '0.0.0.0', resolve));
      s.addMembership(GROUP, mode.interfaceAddress);
    } else {
      const s = udp;
      await new Promise<void>((resolve) => s.bind(0, host, resolve));
    }
    udpPort = udp.address().port;
  }

  return {
    ip,
    httpPort,
    udpPort,
    endpoint,
    actions,
    get probes() {
      return probes;
    },
    async close() {
      udp?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) reject(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Checks a WS-Security UsernameToken PasswordDigest = Base64(SHA1(nonce + created + password)). */
function validToken(body: string, user: string, password: string): boolean {
  const get = (tag: string) => new RegExp(`<(?:[\\w-]+:)?${tag}(?:\\s[^>]*)?>([^<]*)</`).exec(body)?.[1];
  const [u, digest, nonce, created] = [get('Username'), get('Password'), get('Nonce'), get('Created')];
  if (u === undefined || digest === undefined || nonce === undefined || created === undefined) return false;
  const expected = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created + password, 'utf8')]))
    .digest('base64');
  return u === user && digest === expected;
}

/** Checks an RFC 7616 Digest Authorization header (MD5 or SHA-256, qop=auth). */
function validDigest(req: IncomingMessage, user: string, password: string, nonce: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!/^Digest\s/i.test(header)) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]] = m[2] ?? m[3];
  const alg = p.algorithm === 'SHA-256' ? 'sha256' : 'md5';
  const h = (v: string) => createHash(alg).update(v).digest('hex');
  const ha1 = h(`${user}:sim:${password}`);
  const ha2 = h(`${req.method}:${req.url}`);
  const expected = h(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
  return p.username === user && p.nonce === nonce && p.uri === req.url && p.qop === 'auth' && p.response === expected;
}

function soap(inner: string) {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" ' +
    'xmlns:ter="http://www.onvif.org/ver10/error">' +
    `<env:Body>${inner}</env:Body></env:Envelope>`
  );
}

function fault(code: string, subcode: string, reason: string) {
  return (
    `<env:Fault><env:Code><env:Value>${code}</env:Value><env:Subcode><env:Value>${subcode}</env:Value></env:Subcode></env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason></env:Fault>`
  );
}

function probeMatches(relatesTo: string, endpoint: string, xaddr: string, scopes: string) {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<SOAP-ENV:Header>' +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>` +
    '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>' +
    '</SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>' +
    `<wsa:EndpointReference><wsa:Address>${endpoint}</wsa:Address></wsa:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter</d:Types>' +
    `<d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
    '</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}
