// The run's time before it starts (src/shared/recipe.ts estimateRun): measured ms per batch times
// the batches of lr_find (its 100 iterations at most) and of fine_tune's frozen and unfrozen epochs.
import { describe, expect, it } from 'vitest';
import { estimateRun, LR_FIND_ITERS } from '../../src/shared/recipe';

const t = { frozenMs: 200, unfrozenMs: 300, validMs: 50, warmupMs: 5000, nTrain: 12, nValid: 3 };

describe('estimateRun', () => {
  it('lr_find + fine_tune(2): 100 frozen batches, a frozen epoch, two unfrozen ones', () => {
    const e = estimateRun(t, { lrFind: true, epochs: 2, precompute: false });
    expect(LR_FIND_ITERS).toBe(100);
    expect(e.lrFindMs).toBe(100 * 200);
    expect(e.frozenMs).toBe(12 * 200 + 3 * 50);
    expect(e.unfrozenMs).toBe(2 * (12 * 300 + 3 * 50));
    expect(e.totalMs).toBe(20000 + 2550 + 7500);
  });
  it("precompute: the frozen epoch is the body's forward over both sets", () => {
    const e = estimateRun(t, { lrFind: false, epochs: 1, precompute: true });
    expect([e.lrFindMs, e.frozenMs, e.unfrozenMs]).toEqual([0, (12 + 3) * 50, 12 * 300 + 3 * 50]);
  });
  it('precompute with lr_find: the features are computed once, in lr_find, and reused', () => {
    const e = estimateRun(t, { lrFind: true, epochs: 1, precompute: true });
    expect([e.lrFindMs, e.frozenMs]).toEqual([(12 + 3) * 50, 0]);
    expect(e.totalMs).toBe((12 + 3) * 50 + 12 * 300 + 3 * 50);
  });
  it('an unmeasured unfrozen batch counts as a frozen one', () => {
    const { unfrozenMs: _, ...frozenOnly } = t;
    const e = estimateRun(frozenOnly, { lrFind: false, epochs: 1, precompute: false });
    expect(e.unfrozenMs).toBe(12 * 200 + 3 * 50);
  });
  it('a fit of the frozen model alone (no WebGPU): its epochs frozen, none unfrozen', () => {
    const e = estimateRun(t, { lrFind: false, epochs: 0, frozenEpochs: 3, precompute: false });
    expect([e.frozenMs, e.unfrozenMs]).toEqual([3 * (12 * 200 + 3 * 50), 0]);
    const pre = estimateRun(t, { lrFind: false, epochs: 0, frozenEpochs: 3, precompute: true });
    expect(pre.totalMs).toBe((12 + 3) * 50);
  });
});
