import { describe, expect, it } from 'vitest';
import { DEMO_CLASSES, makeShapes } from '../../src/shared/demoShapes';

describe('demo dataset', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = makeShapes(8, 16, 3);
    const b = makeShapes(8, 16, 3);
    const c = makeShapes(8, 16, 4);
    expect(a.pixels).toEqual(b.pixels);
    expect(a.labels).toEqual(b.labels);
    expect(a.pixels).not.toEqual(c.pixels);
  });
  it('has pixels in [0,1] and every class represented in a large batch', () => {
    const s = makeShapes(60, 8, 1);
    expect(Math.min(...s.pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...s.pixels)).toBeLessThanOrEqual(1);
    expect(new Set(s.labels).size).toBe(DEMO_CLASSES.length);
  });
});
