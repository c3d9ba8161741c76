// The Learner's pixels at its own size. fastai's Resize and RandomResizedCrop are item transforms
// on the original photo, so a 224 px Learner must not read the import's 128 px cache: before its
// loaders are built, every image cached smaller than its item transform reads is decoded again
// from its file (kept in the cache entry). The cache stays uint8 RGB at that size, within a cap
// on its bytes (DataState.maxCacheBytes): over it, the cache shrinks to the largest size that
// fits and the caller is warned. NOTE: the other way out, keeping the encoded files and decoding
// per batch, would decode every photo every epoch (5-20 ms each on two cores).
import type { ItemTfm, ResizeChoice, SourcePixels } from '../shared/protocol';
import { decodeToCache, fitSize, mapPool, type CachedImage, type SideOf } from './decode';
import { covers, DECODE_CONCURRENCY, type CacheEntry, type DataState } from './importer';

export interface SourceTarget {
  side: number;
  of: SideOf;
}

type SetupTfm = { size: number; resize: ResizeChoice; minScale: number };

/** fastai's item transform of a Learner setup: Resize(size, method) or RandomResizedCrop(size, min_scale). */
export const itemTfmOf = (s: SetupTfm): ItemTfm =>
  s.resize === 'random_resized_crop'
    ? { kind: 'randomResizedCrop', size: s.size, minScale: s.minScale }
    : { kind: 'resize', size: s.size, method: s.resize };

/**
 * What the item transform reads: Resize pad fits the long side in `size`; crop and squish fill
 * `size` with the short side; RandomResizedCrop zooms in, so its short side is `size` over the
 * side fraction of a small crop (real pixels for crops down to a quarter of the area: 2x size).
 */
export function sourceTarget(s: SetupTfm): SourceTarget {
  if (s.resize === 'pad') return { side: s.size, of: 'long' };
  if (s.resize === 'random_resized_crop')
    return { side: Math.round(s.size / Math.sqrt(Math.max(s.minScale, 0.25))), of: 'short' };
  return { side: s.size, of: 'short' };
}

/** Bytes an image holds once the cache keeps at least `t` of it (larger pixels stay). */
function bytesAt(r: CachedImage, t: SourceTarget): number {
  if (covers(r, t.side, t.of)) return r.width * r.height * 3;
  const [w, h] = fitSize(r.origWidth, r.origHeight, t.side, t.of);
  return w * h * 3;
}

const mb = (b: number) =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GB` : `${Math.round(b / 2 ** 20)} MB`;

/** The decoded images of the current import, by path. */
function decodedEntries(d: DataState) {
  const out: [string, CacheEntry & { result: CachedImage }][] = [];
  for (const it of d.current?.items ?? []) {
    const e = d.cache.get(it.path);
    if (e && !('error' in e.result)) out.push([it.path, e as CacheEntry & { result: CachedImage }]);
  }
  return out;
}

/** Largest side (<= want.side) whose cache fits `cap` bytes (bytes grow with the side). */
function sideWithin(images: CachedImage[], want: SourceTarget, cap: number): number {
  const total = (side: number) => images.reduce((s, r) => s + bytesAt(r, { side, of: want.of }), 0);
  let [lo, hi] = [1, want.side];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= cap) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Decodes again, at `want`, every imported image cached smaller, and reports the pixels the
 * loaders will read. `size`: the training size (for the count of upsampled images).
 */
export async function ensureSource(
  d: DataState,
  size: number,
  want: SourceTarget,
  status?: (message: string) => void,
): Promise<SourcePixels> {
  const entries = decodedEntries(d);
  const images = entries.map(([, e]) => e.result);
  const warnings: string[] = [];
  const need = images.reduce((s, r) => s + bytesAt(r, want), 0);
  let target = want;
  if (need > d.maxCacheBytes) {
    target = { side: sideWithin(images, want, d.maxCacheBytes), of: want.of };
    warnings.push(
      `${images.length} images at ${want.side} px on the ${want.of} side need ${mb(need)} of RGB, ` +
        `over the ${mb(d.maxCacheBytes)} cache cap: decoded at ${target.side} px instead, so ` +
        `${size} px training upsamples them; train at a smaller size or import fewer images`,
    );
  }
  const todo = entries.filter(([, e]) => !covers(e.result, target.side, target.of));
  if (todo.length)
    status?.(`decoding ${todo.length} images again at ${target.side} px on the ${target.of} side`);
  const failed: string[] = [];
  await mapPool(todo, DECODE_CONCURRENCY, async ([path, e]) => {
    const r = await decodeToCache(e.file, target.side, target.of);
    if ('error' in r) failed.push(`${path}: ${r.error}`);
    else if (r.hash !== e.result.hash) failed.push(`${path}: changed since the import`);
    else e.result = r;
  });
  if (failed.length)
    warnings.push(
      `${failed.length} images could not be read again, their smaller cached pixels are used ` +
        `(import the folder again): ${failed.slice(0, 3).join('; ')}`,
    );
  for (const w of warnings) status?.(w);
  const now = entries.map(([, e]) => e.result); // the re-read pixels
  return { ...target, ...pixelStats(now, size, target.of), warnings };
}

/** Short sides (min, median), bytes, and images below the training size on the side that counts. */
function pixelStats(images: CachedImage[], size: number, of: SideOf) {
  const shorts = images.map((r) => Math.min(r.width, r.height)).sort((a, b) => a - b);
  const sideOf = (r: CachedImage) =>
    of === 'long' ? Math.max(r.width, r.height) : Math.min(r.width, r.height);
  return {
    images: images.length,
    minShortSide: shorts[0] ?? 0,
    medianShortSide: shorts[shorts.length >> 1] ?? 0,
    belowSize: images.filter((r) => sideOf(r) < size).length,
    bytes: images.reduce((s, r) => s + r.width * r.height * 3, 0),
  };
}
