/** The config fragments (core/env): the API host and a stream node read shared settings alike. */
import { describe, expect, it } from 'vitest';
import { parseHostEnv } from '../../core/config.ts';
import { outboxOptions, pipelineOptions } from '../../core/env/pipeline.ts';
import { storageConfigOf } from '../../core/env/storage.ts';
import { parseStreamNodeEnv } from '../../stream-node/config.ts';

const s3 = { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' };

describe('config fragments shared by host and stream node', () => {
  it('pipeline settings: same defaults, same values, same StreamNode options', () => {
    expect(pipelineOptions(parseHostEnv({}))).toEqual(pipelineOptions(parseStreamNodeEnv({})));
    expect(pipelineOptions(parseHostEnv({})).motion).toEqual({ refreshMs: 4000, regions: true }); // the motion gate is on by default, with regions
    const env = { DETECT_WIDTH: '1280', DETECT_TILES: '1', DECODE: 'all', PUBLISH_PERIOD_MS: '5000', TRACK_IDLE_MS: '1500', MIN_FACE_QUALITY: '0.5', LEASE_TTL_MS: '3000', OUTBOX_MAX: '50', MOTION_REFRESH_MS: '2000', MOTION_REGIONS: '0', DECODE_NICE: '0' };
    const host = pipelineOptions(parseHostEnv(env));
    expect(host).toEqual(pipelineOptions(parseStreamNodeEnv(env)));
    expect(host).toEqual({ leaseTtlMs: 3000, detectWidth: 1280, detectTiles: true, motion: { refreshMs: 2000, regions: false }, decode: 'all', source: { nice: 0 }, tracker: { publishPeriodMs: 5000, maxIdleMs: 1500, minQuality: 0.5 } });
    expect(pipelineOptions(parseStreamNodeEnv({})).source).toEqual({ nice: 5 }); // ffmpeg below the node's priority by default
    expect(pipelineOptions(parseStreamNodeEnv({ MOTION_GATE: '0' })).motion).toBe(false);
  });

  it('outbox and camera ranges: the embedded node and a stand-alone one read them alike', () => {
    const env = { DATA_DIR: '/data', OUTBOX_MAX: '50', OUTBOX_MAX_MB: '2', ONVIF_ALLOWED_RANGES: '10.1.0.0/16' };
    const host = parseHostEnv(env);
    const node = parseStreamNodeEnv(env);
    expect(outboxOptions(host, 'n1')).toEqual(outboxOptions(node, 'n1'));
    expect(outboxOptions(host, 'n1')).toEqual({ dir: '/data/outbox/n1', maxEntries: 50, maxBytes: 2 * 1024 * 1024 });
    expect(outboxOptions(parseHostEnv({ OUTBOX_DIR: '/spool' }), 'n1').dir).toBe('/spool');
    // the former name counts when the new one is not set, in both
    expect([host.CAMERA_ALLOWED_RANGES, node.CAMERA_ALLOWED_RANGES]).toEqual(['10.1.0.0/16', '10.1.0.0/16']);
    expect(parseHostEnv({ ...env, CAMERA_ALLOWED_RANGES: '10.2.0.0/16' }).CAMERA_ALLOWED_RANGES).toBe('10.2.0.0/16');
  });

  it('the same bad value is refused by both, naming the variable', () => {
    for (const bad of [{ DETECT_WIDTH: '100' }, { DECODE: 'some' }, { S3_FORCE_PATH_STYLE: 'maybe' }, { FACE_ARENA: 'yes' }, { MOTION_GATE: 'yes' }, { MOTION_REGIONS: 'on' }, { FACE_WORKERS: '0' }, { DECODE_NICE: '20' }, { DECODE_NICE: '-1' }]) {
      const name = Object.keys(bad)[0];
      expect(() => parseHostEnv(bad)).toThrow(name);
      expect(() => parseStreamNodeEnv(bad)).toThrow(name);
    }
    expect(() => parseHostEnv({ S3_ENDPOINT: s3.S3_ENDPOINT })).toThrow('go together');
    expect(() => parseStreamNodeEnv({ S3_ENDPOINT: s3.S3_ENDPOINT })).toThrow('go together');
  });

  it('storage: the same S3 config from both, region defaulted once', () => {
    const host = parseHostEnv(s3);
    const node = parseStreamNodeEnv(s3);
    expect(storageConfigOf(host, '/x')).toEqual(storageConfigOf(node, '/x'));
    expect(storageConfigOf(host, '/x')).toMatchObject({ kind: 's3', region: 'us-east-1', forcePathStyle: true, bucket: 'b' });
    expect(storageConfigOf(parseHostEnv({}), '/data')).toEqual({ kind: 'local', dir: '/data/objects' });
  });
});
