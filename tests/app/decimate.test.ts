import { describe, expect, it } from 'vitest';
import { decimateMinMax } from '../../src/page/app/charts/decimate';

describe('decimateMinMax', () => {
  it('keeps short series as they are', () => {
    const pts = [1, 2, 3].map((y, x) => ({ x, y }));
    expect(decimateMinMax(pts, 10)).toEqual(pts);
  });
  it('keeps at most max points, the ends, and every spike', () => {
    const pts = Array.from({ length: 12_345 }, (_, x) => ({ x, y: Math.sin(x / 50) }));
    pts[777].y = 9;
    pts[9000].y = -9;
    const out = decimateMinMax(pts, 400);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out[0]).toBe(pts[0]);
    expect(out.at(-1)).toBe(pts.at(-1));
    expect(out).toContain(pts[777]);
    expect(out).toContain(pts[9000]);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
  });
});
