// The worker's side of an import: decode the dropped files (bounded concurrency, cached by path so
// relabelling or a new split does not decode again), then plan/label/split/summarise with the
// pure modules, and hand DataLoaders to the Learner.
import * as tf from '@tensorflow/tfjs';
import type { WorkerEvent } from '../shared/protocol';
import {
  finishImport,
  IMPORT_DEFAULTS,
  planImport,
  type DatasetItem,
  type DecodeOutcome,
  type ImportOptions,
  type ImportSummary,
} from '../shared/dataset';
import {
  decodeToCache,
  fitSize,
  mapPool,
  outcomeOf,
  type CachedImage,
  type SideOf,
} from './decode';
import { extensionOf, normalizePath, type Split } from '../shared/items';
import { decodeCsv } from '../shared/labelers';
import { makeDataLoaders, type DataLoaders, type DataLoadersOptions } from './loaders';
import type { ImportFile, ImportFilesArgs, RgbSample, ShowBatchArgs } from '../shared/protocol';
import { tooManyFiles } from '../shared/items';
import { applyEdits, type CleanerEdit } from '../shared/cleaner';

/** The import's size (thumbnails, show_batch): 10 000 photos at 128 px on the long side are at
 * most ~490 MB of RGB; typical 4:3 photos ~370 MB. A Learner re-reads at its own size
 * (src/data/sourceSize.ts). */
export const DEFAULT_CACHE_SIZE = 128;
/** createImageBitmap decodes on Chrome's own threads; a few in flight keep them busy without piling up memory. */
export const DECODE_CONCURRENCY = 4;

/** The imported dataset: its items (with their split), summary, and the options it was read with. */
export interface Dataset {
  items: DatasetItem[];
  summary: ImportSummary;
  /** The cleaner's overlay (src/shared/cleaner.ts): applied when loaders are built; a new
   * import starts without one. */
  edits?: CleanerEdit[];
  options?: ImportOptions;
  /** The webcam captures among the files, by path: a session archive stores their bytes. */
  captures?: Map<string, File>;
}

/** The worker's data (held by src/worker/state.ts): staged files, decoded images, the import. */
export interface DataState {
  /** Files sent ahead in chunks (cloning thousands of File handles in one message blocks the
   * page for seconds). */
  staged: ImportFile[];
  /** Decoded, resized images by path, kept across relabelling and new splits, with their file
   * (re-read when a Learner needs more pixels). */
  cache: Map<string, CacheEntry>;
  current?: Dataset;
  /** Cap on the cache's RGB bytes (src/data/sourceSize.ts). */
  maxCacheBytes: number;
}
export interface CacheEntry {
  key: string;
  file: File;
  result: CachedImage | { error: string };
}
/** 2 GB of uint8 RGB: ~10 000 4:3 photos at 224 px on the short side, ~2 000 at 512. */
export const MAX_CACHE_BYTES = 2 * 2 ** 30;
export const newDataState = (): DataState => ({
  staged: [],
  cache: new Map(),
  maxCacheBytes: MAX_CACHE_BYTES,
});

/** Whether the cached pixels are all the image has at `side` on its long/short side (a failed
 * decode stays failed until the file changes). */
export function covers(r: CacheEntry['result'], side: number, of: SideOf): boolean {
  if ('error' in r) return true;
  const [w, h] = fitSize(r.origWidth, r.origHeight, side, of);
  return r.width >= w && r.height >= h;
}

export function stageFiles(d: DataState, files: ImportFile[], reset: boolean): number {
  d.staged = reset ? [...files] : d.staged.concat(files);
  return d.staged.length;
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const fileKey = (f: File) => `${f.size}:${f.lastModified}`;

export async function importFiles(
  d: DataState,
  args: ImportFilesArgs,
  emit: (e: WorkerEvent) => void,
): Promise<ImportSummary> {
  const cacheSize = args.cacheSize ?? DEFAULT_CACHE_SIZE;
  const { cache } = d;
  const files = [...(args.files ?? d.staged), ...(args.captures ?? [])];
  const tooMany = tooManyFiles(files.length);
  if (tooMany) throw new Error(tooMany);
  const csvs = await Promise.all(
    (args.csvs ?? []).map(async (c) => ({
      path: c.path,
      text: decodeCsv(new Uint8Array(await c.file.arrayBuffer()), c.path),
    })),
  );
  const options: ImportOptions = { ...IMPORT_DEFAULTS, ...args.options, csvs };
  // A chosen CSV that also sits inside the folder is the labels, not a skipped file.
  const csvNames = new Set(csvs.map((c) => baseName(c.path)));
  const ignore = new Set(
    files
      .filter(
        (f) =>
          options.labelMode === 'csv' &&
          extensionOf(f.path) === 'csv' &&
          csvNames.has(baseName(f.path)),
      )
      .map((f) => normalizePath(f.path)),
  );
  const plan = planImport(
    files.map((f) => ({ path: f.path, size: f.file.size })),
    options,
    ignore,
  );
  const byPath = new Map(files.map((f) => [normalizePath(f.path), f.file]));
  const decoded = new Map<string, DecodeOutcome>();
  const of = plan.items.length;
  emit({ type: 'importProgress', done: 0, of });
  await mapPool(
    plan.items,
    DECODE_CONCURRENCY,
    async (it) => {
      const file = byPath.get(it.path)!;
      const key = fileKey(file);
      let hit = cache.get(it.path);
      // Larger pixels a Learner asked for are kept (a relabel does not shrink them).
      if (!hit || hit.key !== key || !covers(hit.result, cacheSize, 'long')) {
        hit = { key, file, result: await decodeToCache(file, cacheSize) };
        cache.set(it.path, hit);
      }
      hit.file = file;
      decoded.set(it.path, outcomeOf(hit.result));
    },
    (done) => {
      if (done % 50 === 0 || done === of) emit({ type: 'importProgress', done, of });
    },
  );
  // Forget images of earlier imports that are not part of this one.
  for (const p of cache.keys()) if (!decoded.has(p)) cache.delete(p);
  const captures = new Map((args.captures ?? []).map((f) => [normalizePath(f.path), f.file]));
  d.current = { ...finishImport(plan, decoded, options, args.emptyDirs), options, captures };
  return d.current.summary;
}

/** The cached (resized, upright, RGB) pixels of one imported file. */
export function cachedImage(d: DataState, path: string): RgbSample | undefined {
  const hit = d.cache.get(normalizePath(path));
  if (!hit || 'error' in hit.result) return undefined;
  const item = d.current?.items.find((i) => i.path === path);
  const { width, height, rgb } = hit.result;
  return { path, labels: item?.labels ?? [], width, height, rgb };
}

/** Up to `perClass` images of each class (in item order), for the Data panel's thumbnails.
 * One pass over the items: not a scan per class, nor a search per picked image. */
export function classSamples(d: DataState, perClass: number): RgbSample[] {
  const current = d.current;
  if (!current) return [];
  const picks = new Map<string, RgbSample[]>(current.summary.classes.map((c) => [c, []]));
  for (const it of current.items) {
    const hit = d.cache.get(it.path)?.result;
    if (!hit || 'error' in hit) continue;
    for (const c of it.labels) {
      const p = picks.get(c);
      if (p && p.length < perClass)
        p.push({ path: it.path, labels: [c], width: hit.width, height: hit.height, rgb: hit.rgb });
    }
  }
  return [...picks.values()].flat();
}

/** fastai DataLoaders over the current import. */
export function dataLoaders(
  d: DataState,
  o: Omit<DataLoadersOptions, 'vocab' | 'multiLabel'>,
): DataLoaders {
  const current = d.current;
  if (!current) throw new Error('no dataset imported yet: import a folder in the Data panel first');
  const bySplit: Record<Split, { image: CachedImage; labels: string[]; path: string }[]> = {
    train: [],
    valid: [],
    test: [],
  };
  for (const it of applyEdits(current.items, current.edits ?? [])) {
    const hit = d.cache.get(it.path);
    if (hit && !('error' in hit.result))
      bySplit[it.split].push({ image: hit.result, labels: it.labels, path: it.path });
  }
  return makeDataLoaders(bySplit, {
    ...o,
    vocab: current.summary.classes,
    multiLabel: current.summary.multiLabel,
  });
}

/** fastai show_batch: the first `n` samples of a batch as the model sees them (augmented on train). */
export async function showBatch(d: DataState, a: ShowBatchArgs): Promise<RgbSample[]> {
  const dl = dataLoaders(d, { itemTfm: a.itemTfm, aug: a.aug, seed: a.seed })[a.split ?? 'train'];
  const bs = Math.min(a.n, dl.items.length);
  if (bs === 0) return [];
  const size = a.itemTfm.size;
  for await (const { x, y, paths } of dl.batches(bs, 0)) {
    const [pixels] = await Promise.all([x.data(), y.data()]);
    tf.dispose([x, y]);
    const labelsOf = new Map(dl.items.map((it) => [it.path, it.labels]));
    return paths.map((path, i) => ({
      path,
      labels: labelsOf.get(path) ?? [],
      width: size,
      height: size,
      rgb: Uint8Array.from(pixels.subarray(i * size * size * 3, (i + 1) * size * size * 3), (v) =>
        Math.round(v * 255),
      ),
    }));
  }
  return [];
}
