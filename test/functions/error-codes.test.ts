/** docs/error-codes.md lists exactly the codes of core/errors.ts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorTable } from '../../core/errors.ts';

describe('docs/error-codes.md', () => {
  it('has one row per entry of the error table, with the same code and name', () => {
    const doc = readFileSync(new URL('../../docs/error-codes.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| `([A-Z_]+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(ErrorTable).map(([k, v]) => [k, v.code])));
    expect(rows.length).toBe(Object.keys(ErrorTable).length);
  });
});
