/**
 * Asks one ONVIF device for its RTSP address: GetSystemDateAndTime (clock offset for WS-Security),
 * GetCapabilities (where the media service is), GetProfiles, GetStreamUri for the main profile.
 * Each call is bounded by `timeoutMs`; every failure maps to one code of the error table.
 * The device's own XAddrs are used for their path only: we keep talking to the host the user typed
 * (and the address policy checked), so a device cannot point the server at another host.
 */
import { AppError } from '../errors.ts';
import { formatHostPort, parseHostPort, type AddressPolicy } from '../net/address-policy.ts';
import {
  envelope,
  first,
  isAuthFault,
  postSoap,
  text,
  usernameTokenHeader,
  type Credentials,
  type Envelope,
  type SoapTarget,
  type Xml,
} from './soap.ts';

export const DEVICE_SERVICE_PATH = '/onvif/device_service';

export interface DeviceClientOptions {
  policy: AddressPolicy;
  /** bound for each network step (name resolution, each SOAP call) */
  timeoutMs: number;
}

export interface RtspQuery {
  /** "host", "host:port" or "[v6]:port"; port 80 when absent */
  ip: string;
  user?: string;
  /** the camera's own password, in plain text (the WS-Security digest needs it) */
  password?: string;
  /** embed user:password in the returned URI (default false: the URI is returned as the camera gives it, without credentials) */
  withCredentials?: boolean;
  /**
   * Called once the address passed the policy, before the first request to it: a caller's rate
   * limit counts the calls that reach a device, not the ones refused without contact.
   */
  beforeContact?: () => void;
}

export interface DeviceSession {
  target: SoapTarget;
  creds?: Credentials;
  clockOffsetMs: number;
  timeoutMs: number;
}

const ACTION = {
  date: 'http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime',
  caps: 'http://www.onvif.org/ver10/device/wsdl/GetCapabilities',
  info: 'http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation',
  profiles: 'http://www.onvif.org/ver10/media/wsdl/GetProfiles',
  streamUri: 'http://www.onvif.org/ver10/media/wsdl/GetStreamUri',
};

/** Checks the address against the policy (before any packet) and returns where to send SOAP. */
export async function openDevice(
  ip: string,
  opts: DeviceClientOptions,
  creds?: Credentials,
  path = DEVICE_SERVICE_PATH,
): Promise<DeviceSession> {
  const hp = parseHostPort(ip, 80);
  const address = await opts.policy.resolve(hp.host, opts.timeoutMs);
  const target: SoapTarget = { ip: address, port: hp.port, hostHeader: formatHostPort(hp, 80), path };
  return { target, creds, clockOffsetMs: 0, timeoutMs: opts.timeoutMs };
}

function where(s: DeviceSession) {
  return s.target.hostHeader;
}

/** One authenticated (when creds are set) call; auth faults and HTTP 401s become CAMERA_AUTH_FAILED. */
async function call(s: DeviceSession, action: string, body: string, path = s.target.path): Promise<Envelope> {
  const header = s.creds ? usernameTokenHeader(s.creds, s.clockOffsetMs) : '';
  const authFailed = () => {
    const name = action.slice(action.lastIndexOf('/') + 1);
    return new AppError(
      'CAMERA_AUTH_FAILED',
      s.creds
        ? `camera at ${where(s)} refused user "${s.creds.user}" or its password (${name})`
        : `camera at ${where(s)} requires a user and password (${name})`,
    );
  };
  let env: Envelope;
  try {
    ({ envelope: env } = await postSoap({ ...s.target, path }, action, envelope(body, header), s.timeoutMs, s.creds));
  } catch (e) {
    throw e instanceof AppError && e.kind === 'CAMERA_AUTH_FAILED' ? authFailed() : e;
  }
  if (env.fault && isAuthFault(env.fault)) throw authFailed();
  return env;
}

/**
 * GetSystemDateAndTime, unauthenticated as the ONVIF core spec allows: proves the endpoint speaks
 * ONVIF and gives the clock offset for the UsernameToken `Created` field.
 */
export async function handshake(s: DeviceSession): Promise<void> {
  let env: Envelope;
  try {
    ({ envelope: env } = await postSoap(s.target, ACTION.date, envelope('<tds:GetSystemDateAndTime/>'), s.timeoutMs, s.creds));
  } catch (e) {
    // HTTP 401 even here (and for our credentials too): the next, authenticated call will say so
    if (e instanceof AppError && e.kind === 'CAMERA_AUTH_FAILED') return;
    throw e;
  }
  if (env.fault) {
    // Some devices want authentication even here: they still speak ONVIF; keep offset 0.
    if (isAuthFault(env.fault)) return;
    throw new AppError('NOT_ONVIF', `device at ${where(s)} rejected GetSystemDateAndTime with a SOAP fault`);
  }
  const response = first(env.body, 'getSystemDateAndTimeResponse');
  if (!response) throw new AppError('NOT_ONVIF', `device at ${where(s)} did not answer GetSystemDateAndTime`);
  const utc = first(response, 'systemDateAndTime', 'UTCDateTime');
  const n = (node: Xml, ...p: string[]) => Number(text(first(node, ...p)));
  if (utc) {
    const t = Date.UTC(n(utc, 'date', 'year'), n(utc, 'date', 'month') - 1, n(utc, 'date', 'day'), n(utc, 'time', 'hour'), n(utc, 'time', 'minute'), n(utc, 'time', 'second'));
    if (Number.isFinite(t)) s.clockOffsetMs = t - Date.now();
  }
}

/** Path of the media service (from GetCapabilities); the device service path when the device does not say. */
async function mediaPath(s: DeviceSession): Promise<string> {
  const env = await call(s, ACTION.caps, '<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>');
  const xaddr = text(first(env.body, 'getCapabilitiesResponse', 'capabilities', 'media', 'XAddr'));
  if (env.fault || !xaddr) return s.target.path;
  try {
    return new URL(xaddr).pathname || s.target.path;
  } catch {
    return s.target.path;
  }
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
}

/** GetDeviceInformation; throws like every call here. */
export async function getDeviceInformation(s: DeviceSession): Promise<DeviceInformation> {
  const env = await call(s, ACTION.info, '<tds:GetDeviceInformation/>');
  const info = first(env.body, 'getDeviceInformationResponse');
  if (env.fault || !info) throw new AppError('NOT_ONVIF', `device at ${where(s)} did not answer GetDeviceInformation`);
  return { manufacturer: text(first(info, 'manufacturer')).trim(), model: text(first(info, 'model')).trim() };
}

/** The main profile: the first one with a video encoder (cameras list the main stream first). */
function pickProfile(profiles: Xml[]): string | undefined {
  const withVideo = profiles.find((p) => first(p, 'videoEncoderConfiguration'));
  const chosen = withVideo ?? profiles[0];
  return chosen?.$?.token;
}

/** /QueryCameraRtsp: the stream URI of the camera's main profile (RTP-Unicast over RTSP). */
export async function queryRtsp(q: RtspQuery, opts: DeviceClientOptions): Promise<{ rtsp: string }> {
  const creds = q.user ? { user: q.user, password: q.password ?? '' } : undefined;
  const s = await openDevice(q.ip, opts, creds);
  q.beforeContact?.();
  await handshake(s);
  const media = await mediaPath(s);

  const profilesEnv = await call(s, ACTION.profiles, '<trt:GetProfiles/>', media);
  if (profilesEnv.fault) {
    throw new AppError('NO_MEDIA_PROFILE', `camera at ${where(s)} refused GetProfiles with a SOAP fault`);
  }
  const response = first(profilesEnv.body, 'getProfilesResponse');
  // an empty <GetProfilesResponse/> parses as '': present, no profiles
  if (response === undefined) throw new AppError('NOT_ONVIF', `device at ${where(s)} did not answer GetProfiles`);
  const profiles: Xml[] = Array.isArray(response?.profiles) ? response.profiles : [];
  const token = pickProfile(profiles);
  if (!token) throw new AppError('NO_MEDIA_PROFILE', `camera at ${where(s)} has no media profile`);

  const uriEnv = await call(
    s,
    ACTION.streamUri,
    '<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>' +
      `<trt:ProfileToken>${escapeToken(token)}</trt:ProfileToken></trt:GetStreamUri>`,
    media,
  );
  if (uriEnv.fault) {
    throw new AppError('NO_MEDIA_PROFILE', `camera at ${where(s)} refused GetStreamUri for its main profile with a SOAP fault`);
  }
  const uri = text(first(uriEnv.body, 'getStreamUriResponse', 'mediaUri', 'uri')).trim();
  if (!/^rtsps?:\/\//i.test(uri)) {
    throw new AppError('NO_MEDIA_PROFILE', `camera at ${where(s)} gave no rtsp:// URI for its main profile`);
  }
  return { rtsp: withUserInfo(uri, q.withCredentials && creds ? creds : undefined) };
}

function escapeToken(token: string) {
  return token.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Removes any user:password the camera put in the URI, then adds `creds` when given. */
export function withUserInfo(uri: string, creds?: Credentials): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  url.username = creds ? encodeURIComponent(creds.user) : '';
  url.password = creds ? encodeURIComponent(creds.password) : '';
  return url.toString();
}
