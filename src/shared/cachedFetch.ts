// Model files (the bundled ResNet50's 100 MB, hub downloads) are fetched once and kept in
// Cache Storage, so the studio works offline after the first load and skips re-downloads.
const CACHE = 'studio-models-v1';

export async function cachedFetch(url: string): Promise<Response> {
  const cache =
    typeof caches === 'undefined' ? undefined : await caches.open(CACHE).catch(() => undefined);
  const hit = await cache?.match(url);
  if (hit) return hit;
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not fetch ${url}: HTTP ${r.status}`);
  // Best effort: a full quota must not break loading.
  if (cache) await cache.put(url, r.clone()).catch(() => undefined);
  return r;
}
