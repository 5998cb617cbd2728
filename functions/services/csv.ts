/**
 * The exports' format: a UTF-8 CSV with a byte-order mark (so Excel opens Chinese names right),
 * CRLF line ends, an English header row, base64 in the answer's `data`. A text cell starting with
 * `=`, `+`, `-`, `@`, a tab or a CR is prefixed with `'`: names are typed by users, and a spreadsheet
 * would otherwise run such a cell as a formula (CSV injection).
 */
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../core/errors.ts';

/** Rows an export may have; beyond, EXPORT_TOO_LARGE. */
export const MAX_EXPORT_ROWS = 100_000;

const FORMULA_START = /^[=+\-@\t\r]/;
const guard = (s: string) => (FORMULA_START.test(s) ? `'${s}` : s);

export type Column<T> = readonly [header: string, value: (row: T) => string | number];

/** base64 of the CSV of `rows` with `columns` */
export function csvBase64<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): { data: string } {
  const text = stringify([columns.map(([h]) => h), ...rows.map((r) => columns.map(([, v]) => v(r)))], {
    bom: true,
    record_delimiter: 'windows',
    cast: { string: guard },
  });
  return { data: Buffer.from(text, 'utf8').toString('base64') };
}

/** EXPORT_TOO_LARGE when `count` rows would be exported */
export function checkExportSize(count: number): void {
  if (count > MAX_EXPORT_ROWS) {
    throw new AppError('EXPORT_TOO_LARGE', `the export would have ${count} rows; at most ${MAX_EXPORT_ROWS}: narrow the filters (a shorter time range, one task or camera)`);
  }
}
