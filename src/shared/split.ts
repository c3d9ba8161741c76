// Splitting items into train/valid: folders win (train/ + valid|val|validation/), otherwise
// fastai's RandomSplitter(valid_pct=0.2, seed): shuffle the indices, the first
// int(valid_pct * n) go to the validation set. Optionally stratified (same cut per class).
import { seededRandom } from './random';
import type { Split } from './items';

/** Fisher-Yates with a seeded PRNG: the same seed gives the same permutation (torch.randperm's role). */
export function seededPermutation(n: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** fastai RandomSplitter: returns the split of each of `n` items. */
export function randomSplit(n: number, validPct: number, seed: number): Split[] {
  const perm = seededPermutation(n, seed);
  const cut = Math.floor(validPct * n);
  const out: Split[] = new Array(n).fill('train');
  for (let k = 0; k < cut; k++) out[perm[k]] = 'valid';
  return out;
}

/** Appends `v` to the group `k` (in place: copying the group per append is quadratic). */
export function pushTo<K, V>(groups: Map<K, V[]>, k: K, v: V) {
  const g = groups.get(k);
  if (g) g.push(v);
  else groups.set(k, [v]);
}

/** Same valid share in every class: each class (first label) is split on its own. */
export function stratifiedSplit(keys: string[], validPct: number, seed: number): Split[] {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => pushTo(groups, k, i));
  const out: Split[] = new Array(keys.length).fill('train');
  let g = 0;
  for (const idx of [...groups.keys()].sort().map((k) => groups.get(k)!)) {
    // Rounding (not flooring) per class, so small classes still get a validation image.
    const cut = Math.round(validPct * idx.length);
    const perm = seededPermutation(idx.length, seed + 7919 * g++);
    for (let k = 0; k < cut; k++) out[idx[perm[k]]] = 'valid';
  }
  return out;
}

export interface SplitOptions {
  validPct: number;
  seed: number;
  stratify?: boolean;
}

/**
 * Assigns splits: items with a folder split keep it when the dataset has train+valid folders
 * (`useFolders`); a test folder is always a test set; the rest are split at random. Items must
 * come in a stable order (sorted by path) so the split does not depend on the walk order.
 */
export function assignSplits(
  items: { folderSplit?: Split; labels: string[] }[],
  useFolders: boolean,
  opts: SplitOptions,
): Split[] {
  const out: Split[] = items.map((it) => (it.folderSplit === 'test' ? 'test' : 'train'));
  if (useFolders) return items.map((it, i) => it.folderSplit ?? out[i]);
  const pool = items.map((_, i) => i).filter((i) => out[i] !== 'test');
  const splits = opts.stratify
    ? stratifiedSplit(
        pool.map((i) => items[i].labels[0] ?? ''),
        opts.validPct,
        opts.seed,
      )
    : randomSplit(pool.length, opts.validPct, opts.seed);
  pool.forEach((i, k) => (out[i] = splits[k]));
  return out;
}

// ************* a saved split put back (session restore) *************

export type SavedSplit = Record<Split, string[]>;

const whereOf = (saved: SavedSplit) => {
  const where = new Map<string, Split>();
  for (const s of ['train', 'valid', 'test'] as const) for (const p of saved[s]) where.set(p, s);
  return where;
};

/** The saved paths the items lack, and how many items the saved split would move. */
export function compareSplit(items: { path: string; split: Split }[], saved: SavedSplit) {
  const where = whereOf(saved);
  const have = new Set(items.map((it) => it.path));
  const absent = [...where.keys()].filter((p) => !have.has(p));
  const moved = items.filter((it) => (where.get(it.path) ?? it.split) !== it.split).length;
  return { absent, moved };
}

/** Gives each item its saved split; returns the undo. */
export function restoreSplit(items: { path: string; split: Split }[], saved: SavedSplit) {
  const before = items.map((it) => it.split);
  const where = whereOf(saved);
  for (const it of items) it.split = where.get(it.path) ?? it.split;
  return () => items.forEach((it, i) => (it.split = before[i]));
}
