/**
 * Saving an export (console/src/lib/download.ts): the base64 CSV the server answers becomes the
 * file's bytes unchanged, byte-order mark and UTF-8 Chinese included, so Excel opens it right.
 */
import { describe, expect, it } from 'vitest';
import { base64ToBytes, exportFileName } from '../../console/src/lib/download.ts';

describe('base64ToBytes', () => {
  it('gives the exact bytes of a UTF-8 CSV with BOM (no text decoding on the way)', () => {
    const csv = '\uFEFFrecord_id,person_name\r\n1,张三\r\n2,"=1+2"\r\n';
    const bytes = base64ToBytes(Buffer.from(csv, 'utf8').toString('base64'));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(Buffer.from(bytes).equals(Buffer.from(csv, 'utf8'))).toBe(true);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(csv);
  });

  it('handles every byte value and a few MB', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(base64ToBytes(all.toString('base64'))).equals(all)).toBe(true);
    const big = Buffer.alloc(3 * 1024 * 1024, 'a,张三\r\n');
    expect(Buffer.from(base64ToBytes(big.toString('base64'))).equals(big)).toBe(true);
    expect(base64ToBytes('')).toHaveLength(0);
  });

  it('refuses what is not base64 (an answer that is not an export)', () => {
    expect(() => base64ToBytes('not base64!')).toThrow();
  });
});

describe('exportFileName', () => {
  const at = new Date(2024, 4, 1, 8, 5, 9);
  it('names the kind, what tells it apart and when, as .csv', () => {
    expect(exportFileName('attendance', ['Front door', '2024-05-01', '2024-05-31'], at)).toBe('attendance_Front-door_2024-05-01_2024-05-31_20240501-080509.csv');
    expect(exportFileName('capture-records', [undefined, ''], at)).toBe('capture-records_20240501-080509.csv');
  });
  it('keeps Chinese names and replaces what file systems refuse', () => {
    expect(exportFileName('roll-call', ['早会/点名:A*', 'w1'], at)).toBe('roll-call_早会-点名-A-_w1_20240501-080509.csv');
    expect(exportFileName('x', ['a\u0000b\nc'], at)).toBe('x_a-b-c_20240501-080509.csv');
  });
});
