// Large folders (issue 19): the import's pure steps stay linear (or n log n). The bounds are
// generous (a loaded 2-core machine) and still fail a quadratic regression: the old per-file
// CSV table scan took 17 s at 40k files, the copy-per-append split minutes at 100k items.
import { describe, expect, it } from 'vitest';
import { csvImportCase, restoreCase, splitCase } from '../../scripts/benchLargeFolder';
import { compareSplit, restoreSplit } from '../../src/shared/split';

const seconds = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
};

describe('large folders: no quadratic work', () => {
  it('a labels CSV of 40k absolute paths labels every file by name, in seconds', () => {
    const [{ items, summary }, s] = seconds(csvImportCase(40_000));
    expect(items).toHaveLength(40_000);
    expect(items[38].labels).toEqual(['breed_1']);
    // Every row matched a file by its name: none is reported missing.
    expect(summary.warnings.filter((w) => /CSV rows name files/.test(w))).toEqual([]);
    expect(s).toBeLessThan(10);
  });

  it('a stratified split of 100k items in two classes: < 5 s, 20 % valid in each', () => {
    const [splits, s] = seconds(splitCase(100_000));
    expect(splits.filter((x, i) => x === 'valid' && i % 2 === 0)).toHaveLength(10_000);
    expect(splits.filter((x, i) => x === 'valid' && i % 2 === 1)).toHaveLength(10_000);
    expect(s).toBeLessThan(5);
  });

  it("a session's saved split goes back onto 100k items in < 5 s", () => {
    const [{ absent, moved }, s] = seconds(restoreCase(100_000));
    expect(absent).toEqual([]);
    expect(moved).toBe(20_000);
    expect(s).toBeLessThan(5);
  });
});

describe('a saved split put back on imported items', () => {
  it('names the saved paths the folder lacks, counts moves, and undoes', () => {
    const items = [
      { path: 'd/cat/a.jpg', split: 'train' as const },
      { path: 'd/dog/b.jpg', split: 'valid' as const },
    ];
    const saved = { train: ['d/dog/b.jpg'], valid: ['d/cat/a.jpg', 'd/cat/gone.jpg'], test: [] };
    expect(compareSplit(items, saved)).toEqual({ absent: ['d/cat/gone.jpg'], moved: 2 });
    const undo = restoreSplit(items, saved);
    expect(items.map((i) => i.split)).toEqual(['valid', 'train']);
    undo();
    expect(items.map((i) => i.split)).toEqual(['train', 'valid']);
  });
});
