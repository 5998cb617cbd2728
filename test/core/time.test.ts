import { describe, expect, it } from 'vitest';
import { formatTime, parseTime, wallClock, addDays, instantAt, localDate, parseDate, weekdayOf } from '../../core/time.ts';
import { minuteText, parsePlan, windowsOn } from '../../core/plan.ts';

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

describe('calendar dates for reports', () => {
  it('checks dates, moves them by days (across months and years), gives their weekday', () => {
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-01', '20240101', '2024-01-01 ']) expect(parseDate(bad), bad).toBeNull();
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(weekdayOf('2026-11-23')).toBe(1);
    expect(weekdayOf('2026-11-29')).toBe(7);
  });

  it('gives the local date and the instant of a wall time, 24:00 being the next midnight, across DST', () => {
    // 07:30 in Shanghai is still the previous day in UTC
    expect(localDate(new Date('2026-11-29T23:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-30');
    expect(instantAt('2026-11-30', 7 * 60 + 30, 'Asia/Shanghai').toISOString()).toBe('2026-11-29T23:30:00.000Z');
    expect(instantAt('2026-11-30', 24 * 60, 'Asia/Shanghai').toISOString()).toBe('2026-11-30T16:00:00.000Z');
    // New York on the day clocks go forward: a 23-hour day; 02:30 does not exist (the earlier instant, as parseTime)
    const start = instantAt('2026-03-08', 0, 'America/New_York');
    const end = instantAt('2026-03-08', 24 * 60, 'America/New_York');
    expect((end.getTime() - start.getTime()) / 3600_000).toBe(23);
    expect(instantAt('2026-03-08', 9 * 60, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(formatTime(instantAt('2026-03-08', 2 * 60 + 30, 'America/New_York'), 'America/New_York')).toBe('2026-03-08 01:30:00');
  });

  it('numbers a day\'s plan windows by start; no plan is the whole day', () => {
    const plan = parsePlan('{"1":["13:00-18:00","07:00-09:00","09:00-12:00"]}');
    expect(windowsOn(plan, 1).map((w) => [minuteText(w.start), minuteText(w.end)])).toEqual([['07:00', '09:00'], ['09:00', '12:00'], ['13:00', '18:00']]);
    expect(windowsOn(plan, 2)).toEqual([]);
    expect(windowsOn(null, 5)).toEqual([{ start: 0, end: 1440 }]);
    expect(minuteText(1440)).toBe('24:00');
  });
});
