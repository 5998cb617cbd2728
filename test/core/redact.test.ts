import { describe, expect, it } from 'vitest';
import { MASK, maskSecrets, redactDeep, redactText, unmaskSecrets } from '../../core/redact.ts';

describe('the one redaction rule', () => {
  it('masks URL credentials and password-like query parameters in free text', () => {
    expect(redactText('rtsp://admin:Pa55@10.0.0.5:554/s1: Connection refused')).toBe('rtsp://***@10.0.0.5:554/s1: Connection refused');
    expect(redactText('open "rtsps://u@cam/x" then http://a:b@c/')).toBe('open "rtsps://***@cam/x" then http://***@c/');
    expect(redactText('rtsp://10.0.0.5/cam?user=admin&password=Pa55&channel=1')).toBe('rtsp://10.0.0.5/cam?user=admin&password=***&channel=1');
    expect(redactText('x?api_key=1&token=2;pwd=3')).toBe('x?api_key=***&token=***;pwd=***');
    expect(redactText('no secrets here: 1 + 1 = 2')).toBe('no secrets here: 1 + 1 = 2');
  });

  it('walks log records: nested fields, arrays and errors (message, stack, cause) stay errors', () => {
    const err = new Error('ffmpeg: rtsp://a:secret@h/x failed', { cause: new Error('rtsp://b:other@h') });
    const out = redactDeep({ reason: 'rtsp://a:secret@h/x', list: ['http://u:p@x'], err, n: 1 }) as { err: Error; [k: string]: unknown };
    expect(out.reason).toBe('rtsp://***@h/x');
    expect(out.list).toEqual(['http://***@x']);
    expect(out.err).toBeInstanceOf(Error);
    expect(out.err.message).toBe('ffmpeg: rtsp://***@h/x failed');
    expect(out.err.stack).not.toContain('secret');
    expect((out.err.cause as Error).message).toBe('rtsp://***@h');
    expect(err.message).toContain('secret'); // the original is untouched
  });

  it('masks config values by key name at any depth, and a masked value sent back keeps the stored one', () => {
    const stored = { pass: 'p', Api_Key: 'k', tokens: ['t'], credentials: { u: 1 }, secret_pin: '1', n: { privateThing: 'x', AUTHZ: 'y' }, plain: 'v', blank: '' };
    const masked = maskSecrets(stored);
    expect(masked).toEqual({ pass: MASK, Api_Key: MASK, tokens: MASK, credentials: MASK, secret_pin: MASK, n: { privateThing: MASK, AUTHZ: MASK }, plain: 'v', blank: '' });
    expect(unmaskSecrets(masked, stored)).toEqual(stored);
    expect(unmaskSecrets({ ...(masked as object), pass: 'new' }, stored)).toMatchObject({ pass: 'new', Api_Key: 'k' });
  });
});
