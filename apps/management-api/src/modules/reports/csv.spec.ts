import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader, csvLine, type CsvColumn } from './csv';

describe('csvCell', () => {
  it.each([
    ['plain', 'text', 'plain'],
    ['a,b', 'text', '"a,b"'],
    ['say "hi"', 'text', '"say ""hi"""'],
    ['two\nlines', 'text', '"two\nlines"'],
    ['=1+2', 'text', "'=1+2"],
    ['+1', 'text', "'+1"],
    ['-5', 'text', "'-5"],
    ['@SUM(A1)', 'text', "'@SUM(A1)"],
    ['\tx', 'text', "'\tx"],
    ['\rx', 'text', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', 'text', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['-1.00', 'number', '-1.00'],
    [42, 'number', '42'],
    ['=1', 'number', "'=1"],
    [null, 'text', ''],
  ] as const)('%j (%s) → %j', (v, kind, want) => expect(csvCell(v, kind)).toBe(want));

  it('round-trips through csv-parse', () => {
    type Row = { name: string; n: string };
    const cols: CsvColumn<Row>[] = [
      { header: 'name', kind: 'text', value: (r) => r.name },
      { header: 'n', kind: 'number', value: (r) => r.n },
    ];
    const rows: Row[] = [
      { name: 'a, "b"\nc', n: '-1.50' },
      { name: '=cmd', n: '0' },
    ];
    const text = csvHeader(cols) + rows.map((r) => csvLine(cols, r)).join('');
    expect(parse(text, { columns: true })).toEqual([
      { name: 'a, "b"\nc', n: '-1.50' },
      { name: "'=cmd", n: '0' },
    ]);
  });
});
