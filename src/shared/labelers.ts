// Labellers: fastai's parent_label (here: the class folder, so nested sub-folders count for their
// class), RegexLabeller as in ImageDataLoaders.from_name_re, and from_csv's filename,labels table.
import Papa from 'papaparse';
import { BadFileError } from './badFile';
import type { Candidate } from './items';

export type LabelResult = { labels: string[] } | { error: string };
export type Labeller = (c: Candidate) => LabelResult;

export const folderLabeller: Labeller = (c) =>
  c.classFolder === undefined
    ? { error: 'not inside a class folder' }
    : { labels: [c.classFolder] };

/** Python's named groups `(?P<name>...)` are `(?<name>...)` in JavaScript. */
export function compileLabelRegex(pattern: string): RegExp {
  const re = new RegExp(pattern.replace(/\(\?P</g, '(?<'));
  // fastai returns group(1): a pattern without a group cannot label anything.
  const groups = new RegExp(`${re.source}|`).exec('')!.length - 1;
  if (groups < 1)
    throw new Error(`label regex ${pattern} needs a capture group, e.g. ^(.+)_\\d+\\.jpg$`);
  return re;
}

/** fastai RegexLabeller(pat) on the file name (from_name_re): re.search, label = group 1. */
export function regexLabeller(pattern: string): Labeller {
  const re = compileLabelRegex(pattern);
  return (c) => {
    const m = re.exec(c.name);
    if (!m || m[1] === undefined) return { error: `name does not match ${pattern}` };
    return { labels: [m[1]] };
  };
}

export interface CsvTable {
  /** Labels by the path written in the CSV (normalised, no leading "./"). */
  rows: Map<string, string[]>;
  /** Rows whose file was not found, filled in when the table is used. */
  fileColumn: string;
  labelColumn: string;
  /** Header names of the columns after the second: not read (reported as a warning). */
  ignoredColumns?: string[];
}

/**
 * A labels CSV's bytes -> text. Excel's "Unicode text" and PowerShell write UTF-16 (with a BOM):
 * read as UTF-8 it is NUL-riddled and no file name matches ("not listed in the labels CSV"), so
 * UTF-16 LE/BE is decoded by its BOM, or by where the NUL bytes of ASCII text fall when there is
 * none; other NUL bytes mean it is not text. Invalid UTF-8 falls back to Windows-1252 (Excel's
 * "CSV" on Windows).
 */
export function decodeCsv(bytes: Uint8Array, file = 'labels CSV'): string {
  const [a, b] = bytes;
  if (a === 0xff && b === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (a === 0xfe && b === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const head = bytes.subarray(0, 4096 - (bytes.length % 2));
  const nuls = [0, 0];
  head.forEach((x, i) => x === 0 && nuls[i % 2]++);
  if (nuls[0] + nuls[1]) {
    const half = head.length / 2;
    // Mostly-ASCII UTF-16: NULs in (nearly) every other byte, (nearly) none in the rest.
    const utf16 = (hi: number, lo: number) => hi >= half * 0.4 && lo <= hi * 0.05;
    if (utf16(nuls[1], nuls[0])) return new TextDecoder('utf-16le').decode(bytes);
    if (utf16(nuls[0], nuls[1])) return new TextDecoder('utf-16be').decode(bytes);
    throw new BadFileError(
      'contains NUL bytes: not a text CSV (a spreadsheet saved as .csv? save it as "CSV UTF-8")',
      file,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const normCsvPath = (p: string) =>
  p.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');

/**
 * Parses a `filename,labels` CSV (header row; CRLF or LF; quotes) like fastai's from_csv with
 * `label_delim`. The first column is the file, the second the labels; an empty label cell is an
 * image with no labels (multi-label) rather than an error.
 */
export function parseLabelCsv(text: string, labelSep = ';'): CsvTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new Error(`labels CSV: ${bad.message} (row ${bad.row})`);
  const [header, ...body] = parsed.data;
  if (!header || header.length < 2)
    throw new Error('labels CSV needs two columns: filename,labels');
  const rows = new Map<string, string[]>();
  for (const r of body) {
    const labels = (r[1] ?? '')
      .split(labelSep || /\s+/)
      .map((l) => l.trim())
      .filter(Boolean);
    rows.set(normCsvPath(r[0] ?? ''), labels);
  }
  return { rows, fileColumn: header[0], labelColumn: header[1], ignoredColumns: header.slice(2) };
}

/**
 * Looks files up in one or more CSV tables. A CSV path matches a file whose path below the root
 * ends with it ("images/train2017/x.jpg"), or, failing that, a unique file name.
 */
export function csvLabeller(tables: CsvTable[]): Labeller & { unmatched(): string[] } {
  const byPath = new Map<string, string[]>();
  for (const t of tables) for (const [p, l] of t.rows) byPath.set(p, l);
  // File name -> its one CSV row (null: the name is in several rows). A map, so a CSV of
  // absolute paths from another machine (only names match) costs one lookup per file.
  const byName = new Map<string, { path: string; labels: string[] } | null>();
  for (const [path, labels] of byPath) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    byName.set(name, byName.has(name) ? null : { path, labels });
  }
  const used = new Set<string>();
  const fn = (c: Candidate): LabelResult => {
    const parts = c.rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const key = parts.slice(i).join('/');
      const hit = byPath.get(key);
      if (hit) {
        used.add(key);
        return { labels: hit };
      }
    }
    const byN = byName.get(c.name);
    if (byN) {
      used.add(byN.path);
      return { labels: byN.labels };
    }
    return {
      error: byN === null ? 'file name is ambiguous in the CSV' : 'not listed in the labels CSV',
    };
  };
  return Object.assign(fn, { unmatched: () => [...byPath.keys()].filter((k) => !used.has(k)) });
}
