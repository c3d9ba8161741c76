// Messy input beyond messy_two_class (tests/data/import.test.ts covers that folder): each case
// gets a clear message, the rest is imported, nothing throws where a user could trigger it.
import { describe, expect, it } from 'vitest';
import {
  finishImport,
  planImport,
  IMPORT_DEFAULTS,
  type DecodeOutcome,
  type ImportOptions,
} from '../../src/shared/dataset';
import { decodeToCache } from '../../src/data/decode';
import type { FileRef } from '../../src/shared/items';
import { compileLabelRegex, parseLabelCsv } from '../../src/shared/labelers';

const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ ...IMPORT_DEFAULTS, ...o });
const ok = (hash: string, width = 64, height = 64): DecodeOutcome => ({ width, height, hash });
const refs = (paths: string[]): FileRef[] => paths.map((path) => ({ path, size: 100 }));
const allOk = (plan: ReturnType<typeof planImport>) =>
  new Map(plan.items.map((i) => [i.path, ok(i.path)]));

describe('decoding: broken files are skipped with a reason (the checks before the browser decoder)', () => {
  const blob = (bytes: number[] | Uint8Array) => new Blob([new Uint8Array(bytes)]);

  it('0-byte file', async () => {
    expect(await decodeToCache(blob([]), 128)).toEqual({ error: 'empty file (0 bytes)' });
  });

  it('a text file named .jpg, and unknown binary', async () => {
    const text = new TextEncoder().encode('this is not an image, just some notes\n');
    expect(await decodeToCache(blob(text), 128)).toEqual({ error: 'not an image (text content)' });
    expect(await decodeToCache(blob([0, 1, 2, 3, 250, 251, 252, 0, 9, 8]), 128)).toEqual({
      error: 'not an image (unknown format)',
    });
  });

  it('truncated JPEG (no end-of-image marker)', async () => {
    const head = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1];
    expect(await decodeToCache(blob([...head, ...Array(200).fill(0x55)]), 128)).toEqual({
      error: 'truncated JPEG (no end-of-image marker)',
    });
  });

  it('a file whose read throws NotReadableError (no permission, moved) is skipped, not fatal', async () => {
    const unreadable = {
      size: 1234,
      type: 'image/jpeg',
      arrayBuffer: () =>
        Promise.reject(new DOMException('The file could not be read', 'NotReadableError')),
    } as unknown as Blob;
    const r = await decodeToCache(unreadable, 128);
    expect(r).toEqual({
      error: 'could not be read (NotReadableError: no permission, or the file changed or moved)',
    });
  });

  it('a file over the size limit is refused before it is read', async () => {
    const read = { called: false };
    const huge = {
      size: 300 * 2 ** 20,
      arrayBuffer: () => ((read.called = true), Promise.resolve(new ArrayBuffer(0))),
    } as unknown as Blob;
    expect(await decodeToCache(huge, 128)).toEqual({ error: 'file too large (300 MB)' });
    expect(read.called).toBe(false);
  });
});

describe('import summary: the rest is imported, each problem explained', () => {
  it('broken files among good ones: skipped with their reasons, the others imported', () => {
    const plan = planImport(
      refs(['d/cat/a.jpg', 'd/cat/b.jpg', 'd/cat/zero.jpg', 'd/dog/c.jpg', 'd/dog/locked.jpg']),
      opts({ validPct: 0.5 }),
    );
    const decoded = allOk(plan);
    decoded.set('d/cat/zero.jpg', { error: 'empty file (0 bytes)' });
    decoded.set('d/dog/locked.jpg', {
      error: 'could not be read (NotReadableError: no permission, or the file changed or moved)',
    });
    const { items, summary } = finishImport(plan, decoded, opts({ validPct: 0.5 }));
    expect(items.map((i) => i.path).sort()).toEqual(['d/cat/a.jpg', 'd/cat/b.jpg', 'd/dog/c.jpg']);
    expect(summary.skipped.map((s) => s.path)).toEqual(
      expect.arrayContaining(['d/cat/zero.jpg', 'd/dog/locked.jpg']),
    );
    expect(summary.errors).toEqual([]);
  });

  it('one class only: an error that says a classifier needs two', () => {
    const plan = planImport(refs(['d/cat/a.jpg', 'd/cat/b.jpg', 'd/cat/c.jpg']), opts());
    const { summary } = finishImport(plan, allOk(plan), opts());
    expect(summary.errors).toEqual(['only one class (cat): a classifier needs at least two']);
  });

  it('every image broken: "no usable images found", nothing thrown', () => {
    const plan = planImport(refs(['d/cat/a.jpg', 'd/dog/b.jpg']), opts());
    const decoded = new Map<string, DecodeOutcome>(
      plan.items.map((i) => [i.path, { error: 'not an image (text content)' }]),
    );
    expect(finishImport(plan, decoded, opts()).summary.errors).toEqual(['no usable images found']);
  });

  it('an empty drop: "no usable images found"', () => {
    const plan = planImport([], opts());
    expect(finishImport(plan, new Map(), opts()).summary.errors).toEqual([
      'no usable images found',
    ]);
  });
});

describe('label regex', () => {
  const files = refs(['pets/great_pyrenees_1.jpg', 'pets/pug_2.jpg', 'pets/IMG_0001.jpeg']);

  it('matching nothing: the error names the regex and shows file names', () => {
    const o = opts({ labelMode: 'regex', labelRe: '^(cat|dog)s?_\\d+\\.png$' });
    const plan = planImport(files, o);
    expect(plan.items).toEqual([]);
    const { summary } = finishImport(plan, new Map(), o);
    expect(summary.errors).toEqual([
      'no usable images found: the label regex ^(cat|dog)s?_\\d+\\.png$ matched none of the 3 image names (e.g. IMG_0001.jpeg, great_pyrenees_1.jpg, pug_2.jpg)',
    ]);
  });

  it('matching some: the others are skipped with the reason, the rest imported', () => {
    const o = opts({ labelMode: 'regex', labelRe: '^(.+)_\\d+\\.jpg$', validPct: 0.5 });
    const plan = planImport(files, o);
    const { summary } = finishImport(plan, allOk(plan), o);
    expect(summary.classes).toEqual(['great_pyrenees', 'pug']);
    expect(summary.skipped).toContainEqual({
      path: 'pets/IMG_0001.jpeg',
      reason: 'name does not match ^(.+)_\\d+\\.jpg$',
    });
  });

  it('invalid or capture-less regexes are refused with a message (before any import)', () => {
    expect(() => compileLabelRegex('^(.+_\\d+\\.jpg$')).toThrow(
      /Invalid regular expression.*Unterminated group/,
    );
    expect(() => compileLabelRegex('^.+_\\d+\\.jpg$')).toThrow(/needs a capture group/);
  });
});

describe('labels CSV', () => {
  const files = refs(['d/images/a.jpg', 'd/images/b.jpg', 'd/images/c.jpg', 'd/images/d.jpg']);
  const csv = (text: string) => [{ path: 'd/labels.csv', text }];

  it('rows naming missing files: a warning with examples, the listed files imported', () => {
    const o = opts({
      labelMode: 'csv',
      validPct: 0.5,
      csvs: csv(
        'fname,labels\na.jpg,cat\nb.jpg,dog\nc.jpg,cat\nd.jpg,dog\ngone1.jpg,cat\ngone2.jpg,dog\n',
      ),
    });
    const plan = planImport(files, o);
    const { items, summary } = finishImport(plan, allOk(plan), o);
    expect(items).toHaveLength(4);
    expect(summary.warnings).toContain(
      '2 CSV rows name files that are not in the folder: gone1.jpg, gone2.jpg',
    );
    expect(summary.errors).toEqual([]);
  });

  it('files the CSV does not list are skipped with the reason', () => {
    const o = opts({
      labelMode: 'csv',
      validPct: 0.5,
      csvs: csv('fname,labels\na.jpg,cat\nb.jpg,dog\n'),
    });
    const plan = planImport(files, o);
    expect(plan.skipped).toContainEqual({
      path: 'd/images/c.jpg',
      reason: 'not listed in the labels CSV',
    });
    expect(finishImport(plan, allOk(plan), o).summary.classes).toEqual(['cat', 'dog']);
  });

  it('unknown extra columns are named in a warning (only filename,labels are read)', () => {
    const o = opts({
      labelMode: 'csv',
      validPct: 0.5,
      csvs: csv(
        'fname,labels,is_valid,score\na.jpg,cat,False,1\nb.jpg,dog,True,2\nc.jpg,cat,False,3\nd.jpg,dog,True,4\n',
      ),
    });
    const plan = planImport(files, o);
    const { summary } = finishImport(plan, allOk(plan), o);
    expect(summary.classes).toEqual(['cat', 'dog']);
    expect(summary.warnings).toContain(
      'labels CSV: columns is_valid, score ignored (the first column is read as the file name, the second as the labels)',
    );
  });

  it('columns the wrong way round (labels first): a clear error, not an empty dataset', () => {
    const o = opts({
      labelMode: 'csv',
      csvs: csv('labels,fname\ncat,a.jpg\ndog,b.jpg\ncat,c.jpg\ndog,d.jpg\n'),
    });
    const plan = planImport(files, o);
    const { summary } = finishImport(plan, allOk(plan), o);
    expect(summary.errors).toEqual([
      'no usable images found: none of the 4 images is listed in the labels CSV (is its first column the file name?)',
    ]);
  });

  it('a one-column or malformed CSV is refused with a message', () => {
    expect(() => parseLabelCsv('fname\na.jpg\n')).toThrow(
      'labels CSV needs two columns: filename,labels',
    );
    expect(() => parseLabelCsv('fname,labels\n"a.jpg,cat\n')).toThrow(/labels CSV: .*row/);
    expect(() => planImport(files, opts({ labelMode: 'csv', csvs: [] }))).toThrow(
      /needs a labels CSV/,
    );
  });
});
