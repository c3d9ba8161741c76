// fastai's numbers for schedules, policies, LR slices and lr_find suggestions. Expected values
// come from fastai's formulas (callback/schedule.py, optimizer.py); the literals were derived by
// hand or by running fastai's own code with Debian's python3 (see comments).
import { describe, expect, it } from 'vitest';
import {
  combineScheds, evenMults, formatLr, groupValues, minimum, oneCycleScheds, parseLr, schedCos, schedExp, schedLin, schedNo,
  SchedLin, sgdrPlan, slice, slideWith, steep, suggestLrs, valley, type Sched,
} from '../../src/shared/schedule'; // prettier-ignore

const at = (s: Sched | Sched[], pct: number): number[] =>
  (Array.isArray(s) ? s : [s]).map((f) => f(pct));

describe('annealers', () => {
  it('match fastai sched_lin/cos/no/exp', () => {
    expect(schedLin(0, 2, 0.25)).toBeCloseTo(0.5, 12);
    expect(schedCos(0, 2, 0.5)).toBeCloseTo(1, 12);
    expect(schedCos(1, 3, 0.25)).toBeCloseTo(1 + (1 + Math.cos(Math.PI * 0.75)), 12);
    expect(schedNo(7, 9, 0.3)).toBe(7);
    expect(schedExp(1e-7, 10, 0.5)).toBeCloseTo(1e-7 * 1e8 ** 0.5, 12);
  });
  it('combineScheds switches schedule at the boundaries, pos 1 stays in the last', () => {
    const f = combineScheds([0.3, 0.7], [SchedLin(0, 1), SchedLin(1, 0)]);
    expect(f(0)).toBe(0);
    expect(f(0.15)).toBeCloseTo(0.5, 12);
    expect(f(0.3)).toBeCloseTo(1, 12);
    expect(f(0.65)).toBeCloseTo(0.5, 12);
    expect(f(1)).toBeCloseTo(0, 12);
    expect(() => combineScheds([0.5, 0.6], [SchedLin(0, 1), SchedLin(0, 1)])).toThrow(/sum/);
  });
});

describe('fit_one_cycle', () => {
  const s = oneCycleScheds([1e-2]);
  it('starts at lr_max/25, peaks at pct_start .25, ends at lr_max/1e5', () => {
    expect(at(s.lr, 0)[0]).toBeCloseTo(4e-4, 15);
    expect(at(s.lr, 0.125)[0]).toBeCloseTo((4e-4 + 1e-2) / 2, 15); // cos midpoint, by hand
    expect(at(s.lr, 0.25)[0]).toBeCloseTo(1e-2, 15);
    expect(at(s.lr, 0.625)[0]).toBeCloseTo(0.00500005, 15);
    expect(at(s.lr, 1)[0]).toBeCloseTo(1e-7, 15);
  });
  it('momentum goes .95 -> .85 -> .95 inversely', () => {
    expect(at(s.mom, 0)[0]).toBeCloseTo(0.95, 12);
    expect(at(s.mom, 0.125)[0]).toBeCloseTo(0.9, 12);
    expect(at(s.mom, 0.25)[0]).toBeCloseTo(0.85, 12);
    expect(at(s.mom, 1)[0]).toBeCloseTo(0.95, 12);
  });
  it('at given iterations of 2 epochs x 10 batches (pct = iter/20)', () => {
    for (const it of [0, 3, 5, 11, 19]) {
      const pct = it / 20;
      const expected =
        pct < 0.25 ? schedCos(4e-4, 1e-2, pct / 0.25) : schedCos(1e-2, 1e-7, (pct - 0.25) / 0.75);
      expect(at(s.lr, pct)[0]).toBeCloseTo(expected, 15);
    }
  });
  it('per-group lr_max gives per-group schedules', () => {
    const g = oneCycleScheds([1e-4, 1e-3, 1e-2], { div: 5, pctStart: 0.3 });
    expect(at(g.lr, 0)).toEqual([1e-4 / 5, 1e-3 / 5, 1e-2 / 5].map((v) => expect.closeTo(v, 15)));
    expect(at(g.lr, 0.3)).toEqual([1e-4, 1e-3, 1e-2].map((v) => expect.closeTo(v, 15)));
  });
});

describe('fit_sgdr', () => {
  it('3 cycles of 1 epoch, cycle_mult 2: 7 epochs, restarts at epochs 0, 1, 3', () => {
    const { nEpoch, scheds } = sgdrPlan(3, 1, [0.1], 2);
    expect(nEpoch).toBe(7);
    const lr = (epoch: number) => at(scheds.lr, epoch / 7)[0];
    for (const e of [0, 1, 3]) expect(lr(e)).toBeCloseTo(0.1, 12);
    expect(lr(0.5)).toBeCloseTo(0.05, 12); // mid first cycle
    expect(lr(2)).toBeCloseTo(0.05, 12); // mid second cycle (epochs 1-3)
    expect(lr(5)).toBeCloseTo(0.05, 12); // mid third cycle (epochs 3-7)
    expect(lr(2.999)).toBeLessThan(1e-5);
    expect(lr(6.999)).toBeLessThan(1e-7);
  });
});

describe('LR slices (set_hyper) and fine_tune', () => {
  it('slice(hi) -> hi/10 for all but the last group; slice(lo,hi) -> even_mults', () => {
    expect(groupValues(slice(2e-3), 3)).toEqual([2e-4, 2e-4, 2e-3]);
    expect(groupValues(slice(1e-5, 1e-3), 3).map((v) => +v.toPrecision(12))).toEqual([
      1e-5, 1e-4, 1e-3,
    ]);
    expect(evenMults(1e-6, 1e-2, 5).map((v) => +v.toPrecision(12))).toEqual([
      1e-6, 1e-5, 1e-4, 1e-3, 1e-2,
    ]);
    expect(groupValues(0.1, 2)).toEqual([0.1, 0.1]);
    expect(groupValues([1, 2], 2)).toEqual([1, 2]);
  });
});

describe('lr_find suggestions', () => {
  // A recorded-looking curve; indices below come from running fastai's own valley/steep/
  // minimum/slide on these lists with python3.
  const losses = [3.0, 2.9, 2.95, 2.5, 2.6, 2.0, 1.5, 1.2, 1.0, 1.1, 0.9, 1.3, 3.0, 5.0];
  const lrs = losses.map((_, i) => 1e-7 * 10 ** (i * 0.5));
  it('valley: longest decreasing run 0..10 (length 8), idx = start + 2 + 1 = 5', () => {
    const v = valley(lrs, losses, 100);
    expect(v.lr).toBe(lrs[5]);
    expect(v.point).toEqual([lrs[5], 2.0]);
  });
  it('steep, minimum, slide', () => {
    expect(steep(lrs, losses, 100).lr).toBe(lrs[4]);
    expect(minimum(lrs, losses, 100).lr).toBeCloseTo(lrs[10] / 10, 20);
    expect(minimum(lrs, losses, 100).point).toEqual([lrs[10], 0.9]);
    const s = slideWith(3)(lrs, losses, 100);
    expect(s.lr).toBeCloseTo(3.1622776601683795e-5, 18);
    expect(s.point[1]).toBeCloseTo(2.0, 9);
    expect(slideWith(3, 0.5)(lrs, losses, 100).lr).toBeCloseTo(1e-3, 15);
  });
  it('suggestLrs trims num_it/10 at the start, 5 at the end, and from the first NaN', () => {
    const l = Array.from({ length: 30 }, (_, i) => 1e-7 * 1.5 ** i);
    const s = l.map((_, i) => (i === 20 ? NaN : 10 - i * 0.1));
    const r = suggestLrs(l, s, 30, ['valley', 'minimum']);
    // Trimmed to indices 3..19: strictly decreasing, min at 19.
    expect(r.minimum.point[0]).toBe(l[19]);
    // fastai: max_end 16, max_start = 16 - lds[16] = -1, sections 17/3 -> idx -1 + 5 + 2 = 6.
    expect(r.valley.lr).toBe(l[3 + 6]);
  });
});

describe('parseLr / formatLr: an LR as a fastai user types it', () => {
  it('reads numbers and slice(hi) / slice(lo, hi), and refuses the rest', () => {
    expect(parseLr('3e-3')).toBe(3e-3);
    expect(parseLr(' 0.01 ')).toBe(0.01);
    expect(parseLr('slice(1e-3)')).toEqual({ hi: 1e-3 });
    expect(parseLr('slice(1e-5, 1e-3)')).toEqual({ lo: 1e-5, hi: 1e-3 });
    expect(parseLr('slice( 1e-5 ,1e-3, )')).toEqual({ lo: 1e-5, hi: 1e-3 });
    for (const bad of [
      '',
      '0',
      '-1e-3',
      'abc',
      'slice()',
      'slice(1e-3, 1e-5)',
      'slice(a, 1)',
      '1e-3x',
    ])
      expect(parseLr(bad), bad).toBeUndefined();
  });
  it('formats back to the Python spelling, and per-group values follow fastai', () => {
    for (const t of ['0.003', 'slice(0.001)', 'slice(0.00001, 0.001)'])
      expect(formatLr(parseLr(t)!)).toBe(t);
    expect(groupValues(parseLr('slice(1e-5, 1e-3)')!, 3)).toEqual(evenMults(1e-5, 1e-3, 3));
    expect(groupValues(parseLr('slice(1e-3)')!, 3)).toEqual([1e-4, 1e-4, 1e-3]);
  });
});
