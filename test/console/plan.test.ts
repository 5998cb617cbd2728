/** The weekly plan editor's model (console/src/lib/plan.ts): what it sends is what core/plan.ts accepts. */
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../core/plan.ts';
import {
  addWindow, copyDay, cutWindow, emptyDays, formatDay, fromPlanText, normalize, parseDay, PlanTextError, snapSpan, toPlanText,
} from '../../console/src/lib/plan.ts';

const w = (a: string, b: string) => {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  return { start: m(a), end: m(b) };
};

describe('plan editor model', () => {
  it('reads a day typed in the usual ways: commas, Chinese comma, spaces, tildes, one-digit hours', () => {
    expect(parseDay('08:00-12:00, 13:30-18:00')).toEqual([w('08:00', '12:00'), w('13:30', '18:00')]);
    expect(parseDay('13:30～18:00，8:00-12:00')).toEqual([w('08:00', '12:00'), w('13:30', '18:00')]);
    expect(parseDay('  ')).toEqual([]);
    expect(parseDay('22:00-24:00')).toEqual([w('22:00', '24:00')]);
  });

  it('refuses a bad window, naming it', () => {
    for (const bad of ['8-12', '12:00-08:00', '10:00-10:00', '23:00-24:30', '24:00-24:00', '08:61-09:00', 'noon']) {
      expect(() => parseDay(`07:00-08:00, ${bad}`), bad).toThrow(PlanTextError);
      try { parseDay(bad); } catch (e) { expect((e as Error).message).toBe(bad); }
    }
  });

  it('merges overlapping and touching windows, sorted', () => {
    expect(normalize([w('13:00', '15:00'), w('08:00', '10:00'), w('09:00', '11:00'), w('11:00', '12:00')])).toEqual([w('08:00', '12:00'), w('13:00', '15:00')]);
  });

  it('always on is "", a week is the documented JSON, and a plan without a window is null (the server refuses it)', () => {
    expect(toPlanText({ alwaysOn: true, days: emptyDays() })).toBe('');
    const days = emptyDays();
    days[1] = [w('08:00', '12:00'), w('13:30', '18:00')];
    days[6] = [w('00:00', '24:00')];
    const text = toPlanText({ alwaysOn: false, days })!;
    expect(text).toBe('{"1":["08:00-12:00","13:30-18:00"],"6":["00:00-24:00"]}');
    expect(parsePlan(text)).toEqual({ 1: days[1], 6: days[6] });
    expect(toPlanText({ alwaysOn: false, days: emptyDays() })).toBeNull();
  });

  it('round-trips a stored plan, and refuses one the server would refuse', () => {
    const stored = '{"7":["20:00-22:00","18:00-21:00"],"3":["00:00-06:00"]}';
    const model = fromPlanText(stored);
    expect(model.alwaysOn).toBe(false);
    expect(model.days[7]).toEqual([w('18:00', '22:00')]);
    expect(toPlanText(model)).toBe('{"3":["00:00-06:00"],"7":["18:00-22:00"]}');
    expect(fromPlanText('')).toEqual({ alwaysOn: true, days: emptyDays() });
    expect(() => fromPlanText('{"8":["08:00-09:00"]}')).toThrow(/plan: key "8"/);
  });

  it('dragging snaps to 30 minutes either way; dragging over a window cuts that part out', () => {
    expect(snapSpan(8 * 60 + 10, 11 * 60 + 50)).toEqual(w('08:00', '12:00'));
    expect(snapSpan(12 * 60, 8 * 60 + 1)).toEqual(w('08:00', '12:00'));
    expect(snapSpan(600, 600)).toEqual(w('10:00', '10:30'));
    expect(snapSpan(1440, 1440)).toEqual(w('23:30', '24:00'));
    expect(snapSpan(-50, 2000)).toEqual(w('00:00', '24:00'));
    const day = addWindow([w('08:00', '18:00')], w('17:00', '20:00'));
    expect(day).toEqual([w('08:00', '20:00')]);
    expect(cutWindow(day, w('12:00', '13:30'))).toEqual([w('08:00', '12:00'), w('13:30', '20:00')]);
    expect(cutWindow(day, w('07:00', '21:00'))).toEqual([]);
  });

  it('copies Monday to the working days', () => {
    const days = emptyDays();
    days[1] = [w('09:00', '17:00')];
    const copied = copyDay({ alwaysOn: false, days }, 1, [2, 3, 4, 5]);
    expect([1, 2, 3, 4, 5, 6, 7].map((d) => formatDay(copied.days[d as 1]))).toEqual(['09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', '', '']);
    copied.days[2][0].end = 0;
    expect(days[1][0].end).toBe(17 * 60); // a copy, not the same windows
  });
});
