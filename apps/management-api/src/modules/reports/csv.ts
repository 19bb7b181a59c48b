/**
 * CSV (RFC 4180): header row, CRLF line ends, a field is quoted when it holds a comma, quote, CR
 * or LF, and quotes are doubled.
 *
 * Formula injection: a *text* cell starting with = + - @ TAB or CR would be run as a formula by
 * spreadsheet programs, so it gets a leading apostrophe ("'=HYPERLINK(…)"). Text cells are the
 * ones people type (consumer, app, plan names, cost centres) — neutralised always, even "-5".
 * *Number* cells are numbers and amounts we produce ourselves (requests, "-1.00" on a credit
 * adjustment): they are written as-is so a spreadsheet still reads a negative amount as a number.
 * Each column declares which kind it is.
 */
export type CsvKind = 'text' | 'number';
export interface CsvColumn<T> {
  header: string;
  kind: CsvKind;
  value: (row: T) => string | number | null | undefined;
}

const DANGEROUS_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: string | number | null | undefined, kind: CsvKind): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (kind === 'number' && !NUMBER.test(s))
    s = `'${s}`; // never expected; never let it through raw
  else if (kind === 'text' && DANGEROUS_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader<T>(columns: CsvColumn<T>[]): string {
  return columns.map((c) => csvCell(c.header, 'text')).join(',') + '\r\n';
}

export function csvLine<T>(columns: CsvColumn<T>[], row: T): string {
  return columns.map((c) => csvCell(c.value(row), c.kind)).join(',') + '\r\n';
}
