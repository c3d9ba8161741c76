// Chart data reduction: at most `max` points per series, keeping each bucket's minimum and
// maximum (in x order), so spikes in a 10 000-batch loss curve survive and drawing stays cheap.
export interface XY {
  x: number;
  y: number;
}

export const MAX_POINTS = 400;

export function decimateMinMax<T extends XY>(points: readonly T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const size = (points.length - 2) / buckets;
  const out: T[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor(b * size);
    const end = Math.min(points.length - 1, 1 + Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const y = points[i].y;
      if (!Number.isFinite(y)) continue;
      if (lo < 0 || y < points[lo].y) lo = i;
      if (hi < 0 || y > points[hi].y) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) out.push(points[lo]);
    else if (lo < hi) out.push(points[lo], points[hi]);
    else out.push(points[hi], points[lo]);
  }
  out.push(points[points.length - 1]);
  return out;
}

/** [min, max] of the finite values (a flat series gets ±1 around it; none at all: fallback). */
export function extent(values: number[], fallback: [number, number]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return fallback;
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}
