// The split folders fastai users have (train, valid/val/validation, dev/eval, test): which images
// train, which validate, which are kept for prediction, and what the import summary says about it.
import { describe, expect, it } from 'vitest';
import {
  finishImport,
  planImport,
  IMPORT_DEFAULTS,
  type DatasetItem,
  type ImportOptions,
} from '../../src/shared/dataset';
import { splitOfFolder } from '../../src/shared/items';

const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ ...IMPORT_DEFAULTS, ...o });

/** `files` below a root folder `ds/`, every one decoding fine. */
function load(paths: string[], o = opts()) {
  const plan = planImport(
    paths.map((p) => ({ path: `ds/${p}`, size: 1 })),
    o,
  );
  const decoded = new Map(
    plan.items.map((i) => [i.path, { width: 64, height: 64, hash: i.path }] as const),
  );
  return { plan, ...finishImport(plan, decoded, o) };
}

const n = (prefix: string, k: number) =>
  Array.from({ length: k }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}.jpg`);
const bySplit = (items: DatasetItem[], s: string) => items.filter((i) => i.split === s);

describe('split folder names', () => {
  it('reads train, valid/val/validation/dev/eval and test, numbered or not', () => {
    expect(['train', 'Training', 'train2017'].map(splitOfFolder)).toEqual([
      'train',
      'train',
      'train',
    ]);
    expect(['valid', 'val', 'Validation', 'dev', 'eval', 'val2017'].map(splitOfFolder)).toEqual(
      Array(6).fill('valid'),
    );
    expect(['test', 'testing'].map(splitOfFolder)).toEqual(['test', 'test']);
    expect(['cats', 'develop', 'evaluation_set'].map(splitOfFolder)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('train/ + test/ without a validation folder', () => {
  const files = [
    ...n('train/cat/c', 10),
    ...n('train/dog/d', 10),
    ...n('test/cat/tc', 3),
    ...n('test/dog/td', 2),
  ];
  const { items, summary } = load(files);

  it('holds valid_pct of train/ out at random and keeps test/ out of both', () => {
    expect(summary.classes).toEqual(['cat', 'dog']);
    expect(summary.images).toEqual({ train: 16, valid: 4, test: 5 });
    expect(bySplit(items, 'test').every((i) => i.path.startsWith('ds/test/'))).toBe(true);
    expect(
      [...bySplit(items, 'train'), ...bySplit(items, 'valid')].every((i) =>
        i.path.startsWith('ds/train/'),
      ),
    ).toBe(true);
    // Labels come from the class folder below the split folder, never "train".
    expect(items.some((i) => i.labels.includes('train') || i.labels.includes('test'))).toBe(false);
    expect(summary.split).toBe('random');
    expect(summary.splitFolders).toEqual({ train: 'train', test: 'test' });
  });

  it('says what it did', () => {
    expect(summary.warnings).toContain(
      'no validation folder: 20% of train/ held out at random (seed 42); test/ kept for prediction (5 images), out of training and validation',
    );
  });

  it('follows valid_pct and seed', () => {
    const o = opts({ validPct: 0.5, seed: 7 });
    const again = load(files, o);
    expect(again.summary.images).toEqual({ train: 10, valid: 10, test: 5 });
    expect(again.summary.warnings[0]).toMatch(/^no validation folder: 50% of train\/ .*seed 7/);
    const other = load(files, opts({ validPct: 0.5, seed: 8 }));
    const valid = (x: { items: DatasetItem[] }) => bySplit(x.items, 'valid').map((i) => i.path);
    expect(valid(other)).not.toEqual(valid(again));
  });
});

describe('an unlabelled test set', () => {
  it('keeps test images without a class folder for prediction instead of skipping them', () => {
    const { items, summary } = load([
      ...n('train/a/a', 5),
      ...n('train/b/b', 5),
      ...n('test/x', 4),
    ]);
    expect(summary.images.test).toBe(4);
    expect(bySplit(items, 'test').every((i) => i.labels.length === 0)).toBe(true);
    expect(summary.skipped).toEqual([]);
    expect(summary.classes).toEqual(['a', 'b']);
  });

  it('keeps test images the label regex does not match, and is not taken for multi-label', () => {
    const re = opts({ labelMode: 'regex', labelRe: '^([a-z]+)_\\d+\\.jpg$' });
    const { summary } = load([...n('train/cat', 5), ...n('train/dog', 5), ...n('test/IMG', 2)], re);
    expect(summary.images).toEqual({ train: 8, valid: 2, test: 2 });
    expect(summary.classes).toEqual(['cat', 'dog']);
    const csv = opts({
      labelMode: 'csv',
      csvs: [{ path: 'ds/labels.csv', text: 'fname,label\ncat_00.jpg,cat\ndog_00.jpg,dog\n' }],
    });
    const c = load(['train/cat_00.jpg', 'train/dog_00.jpg', 'test/new.jpg', 'labels.csv'], csv);
    expect(c.summary.multiLabel).toBe(false);
    expect(c.summary.images.test).toBe(1);
  });
});

describe('dev/ and eval/ are validation folders', () => {
  it.each(['dev', 'eval'])(
    'train/ + %s/ + test/: folders decide, the note names the folder',
    (v) => {
      const { items, summary } = load([
        ...n('train/a/a', 4),
        ...n('train/b/b', 4),
        ...n(`${v}/a/a`, 2),
        ...n(`${v}/b/b`, 1),
        ...n('test/a/t', 2),
      ]);
      expect(summary.split).toBe('folders');
      expect(summary.images).toEqual({ train: 8, valid: 3, test: 2 });
      expect(bySplit(items, 'valid').every((i) => i.path.startsWith(`ds/${v}/`))).toBe(true);
      expect(summary.warnings).toContain(
        `${v}/ used as the validation set; test/ kept for prediction (2 images), out of training and validation`,
      );
    },
  );
});

describe('layouts that did not change', () => {
  it('train/ + valid/: folders decide, no note', () => {
    const { summary } = load([...n('train/a/a', 3), ...n('train/b/b', 3), ...n('valid/a/a', 2)]);
    expect(summary.split).toBe('folders');
    expect(summary.images).toEqual({ train: 6, valid: 2, test: 0 });
    expect(summary.warnings).toEqual([]);
  });

  it('train/ alone: a random split of it, and files beside it are skipped with the reason', () => {
    const { summary } = load([...n('train/a/a', 5), ...n('train/b/b', 5), 'stray.jpg']);
    expect(summary.images).toEqual({ train: 8, valid: 2, test: 0 });
    expect(summary.warnings[0]).toBe(
      'no validation folder: 20% of train/ held out at random (seed 42)',
    );
    expect(summary.skipped).toEqual([
      { path: 'ds/stray.jpg', reason: 'outside the train/valid/test folders' },
    ]);
  });

  it('class folders only: a random split, no note', () => {
    const { summary } = load([...n('a/a', 5), ...n('b/b', 5)]);
    expect(summary.images).toEqual({ train: 8, valid: 2, test: 0 });
    expect(summary.warnings).toEqual([]);
    expect(summary.splitFolders).toEqual({});
  });
});
