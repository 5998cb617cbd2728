import { describe, expect, it } from 'vitest';
import { AppError, ErrorTable } from '../../core/errors.ts';

describe('error table', () => {
  it('gives every entry a unique code in its documented range', () => {
    const codes = Object.values(ErrorTable).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, { code, msg }] of Object.entries(ErrorTable)) {
      if (name === 'OK') continue;
      expect(code, name).toBeGreaterThanOrEqual(1000);
      expect(code, name).toBeLessThan(6000);
      expect(msg.length, name).toBeGreaterThan(0);
    }
  });

  it('carries the code and a specific message on AppError', () => {
    const e = new AppError('INVALID_FIELD', 'page_size must be between 1 and 1000');
    expect(e.code).toBe(2002);
    expect(e.message).toBe('page_size must be between 1 and 1000');
    expect(new AppError('NO_FACE').message).toBe(ErrorTable.NO_FACE.msg);
  });
});
