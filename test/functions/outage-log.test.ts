/**
 * A database outage fails every request with 5001; the log gets one line (with its stack) per 10 s
 * and the count of the answers not logged, not a stack per request.
 */
import { describe, expect, it } from 'vitest';
import { ErrorTable } from '../../core/errors.ts';
import { LogThrottle } from '../../core/log-throttle.ts';
import type { Logger } from '../../core/log.ts';
import { errorEnvelope } from '../../functions/lib/http.ts';

function capture() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => { lines.push({ level, obj, msg }); };
  return { lines, log: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger };
}
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('log throttle', () => {
  it('passes the first of a key, counts the rest of its window, and reports the count with the next line', () => {
    const t = new LogThrottle(1000);
    expect(t.pass('db', 0)).toBe(0);
    expect(t.pass('db', 10)).toBeUndefined();
    expect(t.pass('db', 999)).toBeUndefined();
    expect(t.pass('other', 999)).toBe(0);
    expect(t.pass('db', 1000)).toBe(2);
    expect(t.pass('db', 5000)).toBe(0);
  });
});

describe('errorEnvelope during a database outage', () => {
  it('answers every request 5001 but logs one line per 10 s, with the count of those not logged', () => {
    const { lines, log } = capture();
    const t0 = 1e15; // the throttle is the process's: a time of this test's own
    for (let i = 0; i < 50; i++) expect(errorEnvelope(refused(), log, t0 + i * 100)).toEqual({ code: ErrorTable.DB_UNAVAILABLE.code, msg: ErrorTable.DB_UNAVAILABLE.msg });
    expect(lines.map((l) => l.level)).toEqual(['error']);
    expect(lines[0].obj.err).toBeInstanceOf(Error);
    errorEnvelope(refused(), log, t0 + 10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1].obj.suppressed).toBe(49);
  });

  it('still logs every unexpected error', () => {
    const { lines, log } = capture();
    for (let i = 0; i < 3; i++) expect(errorEnvelope(new Error('bug'), log).code).toBe(ErrorTable.INTERNAL.code);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(3);
  });
});
