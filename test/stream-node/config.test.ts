import { describe, expect, it } from 'vitest';
import { parseStreamNodeEnv } from '../../stream-node/config.ts';

const s3 = { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' };

describe('stream node config', () => {
  it('has working defaults for the embedded node', () => {
    const c = parseStreamNodeEnv({});
    expect(c).toMatchObject({ CAPACITY: 16, DETECT_WIDTH: 960, DECODE: 'auto', PUBLISH_PERIOD_MS: 60_000, LEASE_TTL_MS: 10_000 });
    expect(c.NODE_NAME).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    expect(c.NATS_URL).toBeUndefined();
  });

  it('reads a distributed node from the environment', () => {
    const c = parseStreamNodeEnv({ ...s3, NATS_URL: 'nats://10.0.0.2:4222', NODE_NAME: 'edge-1', CAPACITY: '24', DECODE: 'all', DETECT_TILES: '1', OUTBOX_MAX: '500' });
    expect(c).toMatchObject({ NATS_URL: 'nats://10.0.0.2:4222', NODE_NAME: 'edge-1', CAPACITY: 24, DECODE: 'all', DETECT_TILES: true, OUTBOX_MAX: 500 });
    expect(c.FACE_ARENA).toBeUndefined(); // unset: main.ts keeps the arena (throughput first)
    expect(parseStreamNodeEnv({ FACE_ARENA: '0' }).FACE_ARENA).toBe(false);
  });

  it('checks cameras against CAMERA_ALLOWED_RANGES (default private, no loopback), or its former name ONVIF_ALLOWED_RANGES', () => {
    expect(parseStreamNodeEnv({}).CAMERA_ALLOWED_RANGES).not.toMatch(/127\./);
    expect(parseStreamNodeEnv({ ONVIF_ALLOWED_RANGES: '127.0.0.0/8' }).CAMERA_ALLOWED_RANGES).toBe('127.0.0.0/8');
  });

  it.each([
    [{ CAPACITY: '0' }, 'CAPACITY'],
    [{ NODE_NAME: 'a.b' }, 'NODE_NAME'],
    [{ DECODE: 'some' }, 'DECODE'],
    [{ DETECT_TILES: 'yes' }, 'DETECT_TILES'],
    [{ FACE_ARENA: 'maybe' }, 'FACE_ARENA'],
    [{ OUTBOX_MAX: '1' }, 'OUTBOX_MAX'],
    [{ MIN_FACE_QUALITY: '2' }, 'MIN_FACE_QUALITY'],
    [{ S3_ENDPOINT: 'http://x' }, 'S3_ENDPOINT, S3_BUCKET'],
    [{ NATS_URL: 'nats://x:4222' }, 'S3_ENDPOINT'],
    [{ CAMERA_ALLOWED_RANGES: '10.0.0.0/33' }, 'CAMERA_ALLOWED_RANGES'],
  ])('fails fast on %j, naming %s', (env, name) => {
    expect(() => parseStreamNodeEnv(env)).toThrow(name);
  });
});
