// Labels CSVs in the encodings spreadsheets write: UTF-16 (with and without a BOM) used to be
// read as UTF-8 and every file came out "not listed in the labels CSV".
import { describe, expect, it } from 'vitest';

import { csvLabeller, decodeCsv, parseLabelCsv } from '../../src/shared/labelers';
import type { Candidate } from '../../src/shared/items';
import { refused } from './craft';

const TEXT = 'fname,labels\r\nimages/café_1.jpg,cat;dog\r\nimages/b.jpg,dog\r\n';
const utf16 = (s: string, bigEndian: boolean, bom: boolean) => {
  const out = new Uint8Array((s.length + (bom ? 1 : 0)) * 2);
  const dv = new DataView(out.buffer);
  [...(bom ? '\uFEFF' : ''), ...s].forEach((c, i) =>
    dv.setUint16(i * 2, c.charCodeAt(0), !bigEndian),
  );
  return out;
};
const labelsOf = (text: string, rel: string) => {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return csvLabeller([parseLabelCsv(text)])({ rel, name } as Candidate);
};

describe('labels CSV encodings', () => {
  for (const [what, bytes] of [
    ['UTF-16 LE with a BOM (Excel "Unicode text")', utf16(TEXT, false, true)],
    ['UTF-16 BE with a BOM', utf16(TEXT, true, true)],
    ['UTF-16 LE without a BOM', utf16(TEXT, false, false)],
    ['UTF-8 with a BOM', new TextEncoder().encode(`\uFEFF${TEXT}`)],
  ] as const)
    it(`${what}: decoded, the files are found`, () => {
      const text = decodeCsv(bytes, 'labels.csv');
      expect(text.replace(/^\uFEFF/, '')).toBe(TEXT);
      expect(labelsOf(text, 'images/café_1.jpg')).toEqual({ labels: ['cat', 'dog'] });
    });

  it('Windows-1252 (Excel "CSV" on Windows): é decoded, not U+FFFD', () => {
    const bytes = Uint8Array.from([...'a,b\nx'].map((c) => c.charCodeAt(0)).concat(0xe9, 0x0a));
    expect(decodeCsv(bytes)).toBe('a,b\nxé\n');
  });

  it('binary with NUL bytes (a spreadsheet renamed .csv) is refused with the reason', () => {
    const xlsx = Uint8Array.from([
      0x50, 0x4b, 3, 4, 20, 0, 6, 0, 8, 0, 0, 0, 33, 0, 0x62, 0xee, 0x9d,
    ]);
    refused(
      () => decodeCsv(xlsx, 'labels.csv'),
      /^labels\.csv: contains NUL bytes: not a text CSV/,
    );
  });
});
