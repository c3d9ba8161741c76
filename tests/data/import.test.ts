import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  finishImport,
  planImport,
  IMPORT_DEFAULTS,
  type DecodeOutcome,
  type ImportOptions,
} from '../../src/shared/dataset';
import type { FileRef } from '../../src/shared/items';
import { compileLabelRegex, parseLabelCsv, regexLabeller } from '../../src/shared/labelers';
import { randomSplit, stratifiedSplit } from '../../src/shared/split';

const DATASETS = join(__dirname, '../../../shared/datasets');

/** What a webkitdirectory input hands the page: every file below `dir`, root folder first. */
function walk(dir: string): FileRef[] {
  const base = join(dir, '..');
  const out: FileRef[] = [];
  const rec = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) rec(p);
      else out.push({ path: relative(base, p).split('\\').join('/'), size: st.size });
    }
  };
  rec(dir);
  return out;
}

const ok = (hash: string, width = 100, height = 100): DecodeOutcome => ({ width, height, hash });
const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ ...IMPORT_DEFAULTS, ...o });

describe('messy_two_class layout', () => {
  const files = walk(join(DATASETS, 'messy_two_class'));
  const plan = planImport(files, opts());
  const reasons = Object.fromEntries(plan.skipped.map((s) => [s.path, s.reason]));

  it('keeps every image file, labelled by its class folder, nested folders included', () => {
    const byPath = Object.fromEntries(plan.items.map((i) => [i.path, i.labels]));
    expect(byPath['messy_two_class/one/nested/deeper/nested_img.jpg']).toEqual(['one']);
    expect(byPath['messy_two_class/two/ünïcödé_名前.png']).toEqual(['two']);
    expect(byPath['messy_two_class/two/UPPER.JPEG']).toEqual(['two']);
    // Broken image files are decoding's business: they are still candidates here.
    expect(byPath['messy_two_class/one/zero_bytes.jpg']).toEqual(['one']);
    expect(plan.items.length).toBe(2 * 24);
  });

  it('skips foreign and hidden files with a reason and ignores the hidden folder', () => {
    expect(reasons['messy_two_class/one/notes.txt']).toMatch(/not an image \(\.txt/);
    expect(reasons['messy_two_class/two/.DS_Store']).toBe('hidden file');
    expect(reasons['messy_two_class/one/Thumbs.db']).toMatch(/system file/);
    expect(reasons['messy_two_class/README.txt']).toMatch(/not an image/);
    expect(plan.items.some((i) => i.path.includes('.hidden_folder'))).toBe(false);
    expect(plan.warnings).toContain(
      'ignored hidden folder messy_two_class/.hidden_folder/ (1 file)',
    );
  });

  it('summarises decoding results: failures skipped, tiny images and duplicates warned, empty class reported', () => {
    const decoded = new Map<string, DecodeOutcome>();
    for (const it of plan.items) {
      if (it.name === 'zero_bytes.jpg') decoded.set(it.path, { error: 'empty file (0 bytes)' });
      else if (it.name === 'tiny_1x1.png') decoded.set(it.path, ok('tiny', 1, 1));
      else
        decoded.set(
          it.path,
          ok(
            it.name === 'UPPER.JPEG' || it.name === 'photo with space.jpg'
              ? `dup-${it.classFolder}`
              : it.path,
          ),
        );
    }
    const { items, summary } = finishImport(plan, decoded, opts(), [
      'messy_two_class/empty_class',
      'messy_two_class/one/nested/empty',
    ]);
    expect(summary.classes).toEqual(['one', 'two']);
    expect(summary.multiLabel).toBe(false);
    expect(items.length).toBe(46);
    expect(summary.images.train + summary.images.valid).toBe(46);
    expect(summary.images.valid).toBe(Math.floor(0.2 * 46));
    expect(summary.skipped).toContainEqual({
      path: 'messy_two_class/one/zero_bytes.jpg',
      reason: 'empty file (0 bytes)',
    });
    expect(summary.warnings.filter((w) => /empty class folder/.test(w))).toEqual([
      'empty class folder empty_class/: no usable images, so it is not a class',
    ]);
    expect(summary.warnings.find((w) => w.startsWith('2 tiny images'))).toContain(
      'tiny_1x1.png (1x1)',
    );
    expect(summary.warnings.find((w) => /duplicate/.test(w))).toMatch(/^3 duplicate images/);
    expect(summary.errors).toEqual([]);
  });

  it('reports a class folder whose files all failed as an empty class', () => {
    const decoded = new Map<string, DecodeOutcome>(
      plan.items.map((i) => [i.path, i.classFolder === 'two' ? { error: 'x' } : ok(i.path)]),
    );
    const { summary } = finishImport(plan, decoded, opts());
    expect(summary.errors[0]).toMatch(/only one class \(one\)/);
    expect(summary.warnings.some((w) => w.startsWith('empty class folder two/'))).toBe(true);
  });
});

describe('sign_language_digits', () => {
  it('honours train/ and val/ folders and counts per class and split exactly as on disk', () => {
    const root = join(DATASETS, 'sign_language_digits');
    const plan = planImport(walk(root), opts());
    const { summary } = finishImport(
      plan,
      new Map(plan.items.map((i) => [i.path, ok(i.path)])),
      opts(),
    );
    expect(summary.split).toBe('folders');
    expect(summary.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const [split, dir] of [
      ['train', 'train'],
      ['valid', 'val'],
    ] as const)
      for (const c of summary.classes)
        expect(summary.counts[split][c]).toBe(
          readdirSync(join(root, dir, c)).filter((f) => !f.startsWith('.')).length,
        );
  });
});

describe('coco128_multilabel with its two CSVs', () => {
  const root = join(DATASETS, 'coco128_multilabel');
  const csvs = ['labels_train2017.csv', 'labels_val2017.csv'].map((f) => ({
    path: `coco128_multilabel/${f}`,
    text: readFileSync(join(root, f), 'utf8'),
  }));
  const o = opts({ labelMode: 'csv', csvs, labelSep: ';' });
  const plan = planImport(walk(root), o);
  const { summary } = finishImport(plan, new Map(plan.items.map((i) => [i.path, ok(i.path)])), o);

  it('is multi-label, split by the train2017/val2017 folders, with label counts matching the CSVs', () => {
    expect(summary.multiLabel).toBe(true);
    expect(summary.split).toBe('folders');
    expect(summary.images).toEqual({ train: 128, valid: 128, test: 0 });
    for (const [split, f] of [
      ['train', 0],
      ['valid', 1],
    ] as const) {
      const expected: Record<string, number> = {};
      for (const line of csvs[f].text.split(/\r?\n/).slice(1).filter(Boolean))
        for (const l of line.split(',')[1].split(';').filter(Boolean))
          expected[l] = (expected[l] ?? 0) + 1;
      const got = Object.fromEntries(
        Object.entries(summary.counts[split]).filter(([, n]) => n > 0),
      );
      expect(got).toEqual(expected);
    }
    expect(summary.skipped).toEqual([]);
    expect(summary.warnings.some((w) => /no labels/.test(w))).toBe(true);
  });
});

describe('a folder without class folders', () => {
  it('explains that the images need regex or CSV labels', () => {
    const files = ['pets/great_pyrenees_1.jpg', 'pets/pug_2.jpg'].map((path) => ({
      path,
      size: 1,
    }));
    const plan = planImport(files, opts());
    const { summary } = finishImport(
      plan,
      new Map(plan.items.map((i) => [i.path, ok(i.path)])),
      opts(),
    );
    expect(summary.errors[0]).toMatch(
      /2 images sit outside class folders; label them by file name \(regex\) or with a CSV/,
    );
    const re = opts({ labelMode: 'regex', labelRe: '^(.+)_\\d+\\.jpg$', validPct: 0.5 });
    const p2 = planImport(files, re);
    const s2 = finishImport(p2, new Map(p2.items.map((i) => [i.path, ok(i.path)])), re).summary;
    expect(s2.classes).toEqual(['great_pyrenees', 'pug']);
    expect(s2.errors).toEqual([]);
  });
});

describe('labellers', () => {
  it('regex labeller follows fastai from_name_re (search, group 1), Python named groups accepted', () => {
    const l = regexLabeller('^(.+)_\\d+\\.jpg$');
    const c = (name: string) => ({ path: name, rel: name, name });
    expect(l(c('great_pyrenees_12.jpg'))).toEqual({ labels: ['great_pyrenees'] });
    expect(l(c('README.md'))).toEqual({ error: 'name does not match ^(.+)_\\d+\\.jpg$' });
    expect(regexLabeller('(?P<breed>[a-z]+)_')(c('x/pug_1.jpg'))).toEqual({ labels: ['pug'] });
    expect(() => compileLabelRegex('\\d+')).toThrow(/capture group/);
  });

  it('CSV parser handles CRLF, LF, quotes and a chosen label separator', () => {
    const crlf = parseLabelCsv('filename,labels\r\na.jpg,cat dog\r\n"b,c.jpg",dog\r\n', ' ');
    expect([...crlf.rows]).toEqual([
      ['a.jpg', ['cat', 'dog']],
      ['b,c.jpg', ['dog']],
    ]);
    const lf = parseLabelCsv('fname,tags\n./x/a.jpg,"cat;dog"\nb.jpg,\n', ';');
    expect([...lf.rows]).toEqual([
      ['x/a.jpg', ['cat', 'dog']],
      ['b.jpg', []],
    ]);
  });
});

describe('splitters', () => {
  it('RandomSplitter: int(valid_pct * n) validation items, reproducible by seed', () => {
    const a = randomSplit(101, 0.2, 3);
    expect(a.filter((s) => s === 'valid').length).toBe(20);
    expect(randomSplit(101, 0.2, 3)).toEqual(a);
    expect(randomSplit(101, 0.2, 4)).not.toEqual(a);
  });

  it('stratified split gives each class its share', () => {
    const keys = [...Array(90).fill('a'), ...Array(10).fill('b')];
    const s = stratifiedSplit(keys, 0.2, 1);
    expect(s.filter((x, i) => x === 'valid' && keys[i] === 'a').length).toBe(18);
    expect(s.filter((x, i) => x === 'valid' && keys[i] === 'b').length).toBe(2);
  });

  it('a top-level test/ folder becomes a test set, the rest is split at random', () => {
    const files = [
      'd/cat/1.jpg',
      'd/cat/2.jpg',
      'd/dog/1.jpg',
      'd/dog/2.jpg',
      'd/test/cat/9.jpg',
    ].map((path) => ({ path, size: 1 }));
    const plan = planImport(files, opts({ validPct: 0.5 }));
    const { summary, items } = finishImport(
      plan,
      new Map(plan.items.map((i) => [i.path, ok(i.path)])),
      opts({ validPct: 0.5 }),
    );
    expect(items.find((i) => i.path === 'd/test/cat/9.jpg')).toMatchObject({
      split: 'test',
      labels: ['cat'],
    });
    expect(summary.images).toEqual({ train: 2, valid: 2, test: 1 });
    expect(summary.classes).toEqual(['cat', 'dog']);
  });
});
