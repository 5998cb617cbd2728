import { describe, expect, it } from 'vitest';
import { formatTime, parseTime, wallClock } from '../../core/time.ts';

// Reference: Intl itself, the slow way.
const refs = new Map<string, Intl.DateTimeFormat>();
function intl(date: Date, timeZone: string): string {
  const f = refs.get(timeZone) ?? new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  refs.set(timeZone, f);
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

describe('time', () => {
  const zones = ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns'];

  it('formats like Intl in every zone, across DST changes, second by second around them', () => {
    const wrong: string[] = [];
    const check = (ms: number, zone: string) => {
      const got = formatTime(new Date(ms), zone);
      const want = intl(new Date(ms), zone);
      if (got !== want) wrong.push(`${zone} ${new Date(ms).toISOString()}: ${got} != ${want}`);
    };
    for (const zone of zones) {
      // every 37 minutes 13 seconds through 2026, plus every 7 s of the hour around four DST changes
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 2_233_000) check(ms, zone);
      for (const edge of [Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 2, 8, 6, 30), Date.UTC(2026, 10, 1, 5, 30)]) {
        for (let ms = edge; ms < edge + 3_600_000; ms += 7000) check(ms, zone);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('gives ISO weekdays (1 = Monday) and handles times before 1970', () => {
    expect(wallClock(new Date(Date.UTC(2026, 10, 23, 12)), 'UTC').weekday).toBe(1); // a Monday
    expect(wallClock(new Date(Date.UTC(2026, 10, 22, 12)), 'UTC').weekday).toBe(7);
    expect(formatTime(new Date(Date.UTC(1900, 0, 1)), 'Asia/Shanghai')).toBe(intl(new Date(Date.UTC(1900, 0, 1)), 'Asia/Shanghai'));
  });

  it('parses what it formats', () => {
    for (const zone of zones) {
      const d = new Date(Date.UTC(2026, 6, 4, 3, 2, 1));
      expect(parseTime(formatTime(d, zone), zone)?.getTime()).toBe(d.getTime());
    }
    expect(parseTime('2026-02-30 00:00:00', 'UTC')).toBeNull();
  });
});
