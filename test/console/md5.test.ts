/** The login page's MD5 (console/src/lib/md5.ts) is the API's: the MD5 hex of the password's UTF-8 bytes. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../console/src/lib/md5.ts';

const reference = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('md5Hex', () => {
  it('matches the MD5 of the UTF-8 bytes for ASCII, Chinese, emoji and the empty password', () => {
    for (const s of ['', 'admin', 'admin-secret-for-tests', '密码123', '张三的密碼', 'pässwörd', '🔐 key', 'x'.repeat(1000)]) {
      expect(md5Hex(s), s).toBe(reference(s));
    }
  });

  it('is 32 lowercase hex digits, as /Login checks', () => {
    expect(md5Hex('any')).toMatch(/^[0-9a-f]{32}$/);
    expect(md5Hex('a')).toBe('0cc175b9c0f1b6a831c399e269772661');
  });
});
