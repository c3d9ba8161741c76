// Large folders (issue 19): the pure import steps on synthetic items, no images, no GPU.
//   npx tsx scripts/benchLargeFolder.ts
// Times a labels CSV with absolute paths over 40k files (the file-name fallback), a stratified
// split of 100k items, and putting a saved 100k-item split back on an import (session restore).
// tests/data/largeFolder.test.ts runs the same cases with generous bounds.
import { finishImport, planImport, type DecodeOutcome } from '../src/shared/dataset';
import { assignSplits, compareSplit, restoreSplit } from '../src/shared/split';
import type { Split } from '../src/shared/items';

const CLASSES = Array.from({ length: 37 }, (_, i) => `breed_${i}`);

export function csvImportCase(n: number) {
  const files = Array.from({ length: n }, (_, i) => ({
    path: `pets/images/img_${String(i).padStart(6, '0')}.jpg`,
    size: 1000,
  }));
  // Absolute paths from another machine: only the file name can match (the slow path).
  const rows = files.map((f, i) => `/home/someone/data/${f.path},${CLASSES[i % CLASSES.length]}`);
  const csvs = [{ path: 'pets/labels.csv', text: ['filename,label', ...rows].join('\n') }];
  return () => {
    const opts = { labelMode: 'csv' as const, csvs, validPct: 0.2, seed: 42 };
    const plan = planImport([...files, { path: 'pets/labels.csv', size: 1 }], opts);
    const decoded = new Map<string, DecodeOutcome>(
      plan.items.map((it, i) => [it.path, { width: 64, height: 64, hash: `h${i}` }]),
    );
    return finishImport(plan, decoded, opts);
  };
}

/** Two big classes (cats and dogs) are the worst case for per-class work. */
export const splitCase = (n: number) => {
  const items = Array.from({ length: n }, (_, i) => ({ labels: [i % 2 ? 'cat' : 'dog'] }));
  return () => assignSplits(items, false, { validPct: 0.2, seed: 42, stratify: true });
};

export function restoreCase(n: number) {
  const items = Array.from({ length: n }, (_, i) => ({
    path: `pets/${CLASSES[i % 37]}/${i}.jpg`,
    split: 'train' as Split,
  }));
  const saved = { train: [] as string[], valid: [] as string[], test: [] as string[] };
  items.forEach((it, i) => saved[i % 5 === 0 ? 'valid' : 'train'].push(it.path));
  return () => {
    const r = compareSplit(items, saved);
    restoreSplit(items, saved);
    return r;
  };
}

function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  console.log(`${label.padEnd(52)} ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  return r;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const imp = time('labels CSV, absolute paths, 40k files', csvImportCase(40_000));
  if (imp.items.length !== 40_000) throw new Error(`csv: ${imp.items.length} items labelled`);
  time('stratified split, 100k items, 2 classes', splitCase(100_000));
  const r = time('session restore: saved split onto 100k items', restoreCase(100_000));
  if (r.absent.length || r.moved !== 20_000) throw new Error(`restore: ${JSON.stringify(r)}`);
}
