/** The reports' dates and windows (console/src/lib/time.ts). */
import { describe, expect, it } from 'vitest';
import { dateText, monthStart, windowText } from '../../console/src/lib/time.ts';

describe('windowText', () => {
  it('HH:MM–HH:MM, an end at the next midnight being 24:00', () => {
    expect(windowText('2024-05-01 08:00:00', '2024-05-01 12:00:00')).toBe('08:00–12:00');
    expect(windowText('2024-05-01 00:00:00', '2024-05-02 00:00:00')).toBe('00:00–24:00');
    expect(windowText('2024-12-31 18:00:00', '2025-01-01 00:00:00')).toBe('18:00–24:00');
  });
});

describe('dates', () => {
  it('yyyy-mm-dd of the browser calendar; the month starts on its first', () => {
    expect(dateText(new Date(2024, 0, 5))).toBe('2024-01-05');
    expect(monthStart(new Date(2024, 1, 29, 23, 59))).toBe('2024-02-01');
  });
});
