// Hyper-parameter schedules as pure functions of training progress, composed the fastai way.
// Source: fastai/callback/schedule.py (sched_*, combine_scheds, fit_one_cycle, fit_sgdr,
// fine_tune, valley/slide/minimum/steep) and fastai/optimizer.py (set_hyper, even_mults).

/** A schedule maps progress `pct` in [0, 1] to a value. */
export type Sched = (pct: number) => number;

// ************* annealers *************
export const schedLin = (start: number, end: number, pos: number) => start + pos * (end - start);
export const schedCos = (start: number, end: number, pos: number) =>
  start + ((1 + Math.cos(Math.PI * (1 - pos))) * (end - start)) / 2;
export const schedNo = (start: number, _end: number, _pos: number) => start;
export const schedExp = (start: number, end: number, pos: number) => start * (end / start) ** pos;

export const SchedLin =
  (start: number, end: number): Sched =>
  (pos) =>
    schedLin(start, end, pos);
export const SchedCos =
  (start: number, end: number): Sched =>
  (pos) =>
    schedCos(start, end, pos);
export const SchedNo =
  (start: number, end: number): Sched =>
  (pos) =>
    schedNo(start, end, pos);
export const SchedExp =
  (start: number, end: number): Sched =>
  (pos) =>
    schedExp(start, end, pos);

/** fastai combine_scheds: `scheds[i]` runs for the fraction `pcts[i]` of training. */
export function combineScheds(pcts: number[], scheds: Sched[]): Sched {
  const total = pcts.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6) throw new Error(`combineScheds: pcts sum to ${total}, not 1`);
  const edges = [0];
  for (const p of pcts) edges.push(edges[edges.length - 1] + p);
  const last = edges.length - 2;
  return (pos) => {
    // idx = min(last edge <= pos, pct_lim), as fastai's `(pos >= pcts).nonzero().max()`.
    let idx = 0;
    for (let i = 0; i < edges.length; i++) if (pos >= edges[i]) idx = i;
    idx = Math.min(idx, last);
    return scheds[idx]((pos - edges[idx]) / (edges[idx + 1] - edges[idx]));
  };
}

/** fastai combined_cos: cosine from `start` up to `middle` over `pct`, then down to `end`. */
export const combinedCos = (pct: number, start: number, middle: number, end: number): Sched =>
  combineScheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle, end)]);

// ************* learning-rate slices (discriminative LRs) *************

/** Log-spaced values from `start` to `stop` in `n` steps (fastai even_mults). */
export function evenMults(start: number, stop: number, n: number): number[] {
  if (n === 1) return [stop];
  const step = (stop / start) ** (1 / (n - 1));
  return Array.from({ length: n }, (_, i) => start * step ** i);
}

/** fastai `slice(hi)` / `slice(lo, hi)`. */
export interface LrSlice {
  lo?: number;
  hi: number;
}
export const slice = (a: number, b?: number): LrSlice =>
  b === undefined ? { hi: a } : { lo: a, hi: b };
export type Lr = number | number[] | LrSlice;

/**
 * An LR as a fastai user types it: `3e-3`, `slice(1e-3)` or `slice(1e-5, 1e-3)` (spaces and a
 * trailing comma allowed). undefined for anything else, so a form can mark the field invalid.
 */
export function parseLr(text: string): number | LrSlice | undefined {
  const t = text.trim();
  const pos = (v: string) => (/^[-+0-9.eE]+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  const m = /^slice\(([^,()]*)(?:,([^,()]*))?,?\s*\)$/.exec(t);
  if (!m) return pos(t);
  const a = pos(m[1].trim());
  if (m[2] === undefined || m[2].trim() === '') return a === undefined ? undefined : slice(a);
  const b = pos(m[2].trim());
  return a !== undefined && b !== undefined && a <= b ? slice(a, b) : undefined;
}

/** fit_one_cycle's `moms` as typed: `0.95,0.85,0.95`, three momentums in [0, 1); else undefined. */
export function parseMoms(text: string): [number, number, number] | undefined {
  const v = text.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  return v.length === 3 && v.every((x) => x >= 0 && x < 1)
    ? (v as [number, number, number])
    : undefined;
}

/** The Python spelling of an LR, for display and the reproduction script: 1e-3, slice(1e-5, 1e-3). */
export function formatLr(lr: number | LrSlice, fmt: (v: number) => string = String): string {
  if (typeof lr === 'number') return fmt(lr);
  return lr.lo === undefined ? `slice(${fmt(lr.hi)})` : `slice(${fmt(lr.lo)}, ${fmt(lr.hi)})`;
}

/** Per-group values as fastai Optimizer.set_hyper: slice(hi) -> hi/10 for all but the last
 * group; slice(lo, hi) -> evenMults(lo, hi, nGroups); a scalar -> the same for every group. */
export function groupValues(v: Lr, nGroups: number): number[] {
  if (typeof v === 'number') return Array(nGroups).fill(v);
  if (Array.isArray(v)) {
    if (v.length === 1) return Array(nGroups).fill(v[0]);
    if (v.length !== nGroups) throw new Error(`${v.length} values for ${nGroups} parameter groups`);
    return v;
  }
  if (v.lo) return evenMults(v.lo, v.hi, nGroups);
  return [...Array(nGroups - 1).fill(v.hi / 10), v.hi];
}

// ************* training policies (pure: what fit_* hand to ParamScheduler) *************

/** Per-hyper schedules: one Sched for all groups, or one per group. */
export type Scheds = Record<string, Sched | Sched[]>;

export const ONE_CYCLE = {
  div: 25,
  divFinal: 1e5,
  pctStart: 0.25,
  moms: [0.95, 0.85, 0.95] as [number, number, number],
};

/** fastai fit_one_cycle's schedules for per-group `lrMax`. */
export function oneCycleScheds(lrMax: number[], opts: Partial<typeof ONE_CYCLE> = {}): Scheds {
  // An option given as undefined keeps fastai's default.
  const given = Object.entries(opts).filter(([, v]) => v !== undefined);
  const { div, divFinal, pctStart, moms } = { ...ONE_CYCLE, ...Object.fromEntries(given) };
  return {
    lr: lrMax.map((lr) => combinedCos(pctStart, lr / div, lr, lr / divFinal)),
    mom: combinedCos(pctStart, ...moms),
  };
}

/** fastai fit_sgdr: `nCycles` cosine cycles from lrMax to 0, each `cycleMult` times longer. */
export function sgdrPlan(
  nCycles: number,
  cycleLen: number,
  lrMax: number[],
  cycleMult = 2,
): { nEpoch: number; scheds: Scheds } {
  // NOTE: fastai divides by (cycle_mult - 1); with cycle_mult 1 the cycles simply repeat.
  const nEpoch =
    cycleMult === 1
      ? nCycles * cycleLen
      : Math.floor((cycleLen * (cycleMult ** nCycles - 1)) / (cycleMult - 1));
  const pcts = Array.from({ length: nCycles }, (_, i) => (cycleLen * cycleMult ** i) / nEpoch);
  return {
    nEpoch,
    scheds: {
      lr: lrMax.map((lr) =>
        combineScheds(
          pcts,
          pcts.map(() => SchedCos(lr, 0)),
        ),
      ),
    },
  };
}

export const FINE_TUNE = { baseLr: 2e-3, freezeEpochs: 1, lrMult: 100, pctStart: 0.3, div: 5 };

// ************* lr_find suggestions *************
// Each takes the recorded (lrs, smoothed losses) after fastai's trimming and returns
// [suggested lr, point to mark on the plot].

export type Suggestion = (
  lrs: number[],
  losses: number[],
  numIt: number,
) => { lr: number; point: [number, number] };

/** The middle of the longest run of decreasing loss (longest decreasing subsequence). */
export const valley: Suggestion = (lrs, losses) => {
  const n = losses.length;
  let maxStart = 0;
  let maxEnd = 0;
  const lds = Array(n).fill(1);
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[maxEnd] < lds[i]) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const idx = maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
  return { lr: lrs[idx], point: [lrs[idx], losses[idx]] };
};

/** numpy.gradient: central differences inside, one-sided at the ends. */
function gradient(y: number[]): number[] {
  const n = y.length;
  return y.map((_, i) =>
    i === 0 ? y[1] - y[0] : i === n - 1 ? y[n - 1] - y[n - 2] : (y[i + 1] - y[i - 1]) / 2,
  );
}

/** numpy.interp on increasing xs. */
function interp(x: number, xs: number[], ys: number[]): number {
  if (x <= xs[0]) return ys[0];
  if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
  let i = 1;
  while (xs[i] < x) i++;
  return ys[i - 1] + ((x - xs[i - 1]) * (ys[i] - ys[i - 1])) / (xs[i] - xs[i - 1]);
}

/** Interval slide rule (fastai slide, lr_diff 15, thresh 0.005). */
export function slideWith(lrDiff = 15, thresh = 0.005, adjustValue = 1): Suggestion {
  return (lrs, losses) => {
    const n = losses.length;
    const g = gradient(losses);
    const at = <T>(a: T[], i: number) => a[n + i]; // python negative indexing
    let r = -1;
    let l = r - lrDiff;
    let localMinLr = at(lrs, l);
    while (l >= -n && Math.abs(at(g, r) - at(g, l)) > thresh) {
      localMinLr = at(lrs, l);
      r -= 1;
      l -= 1;
    }
    const lr = localMinLr * adjustValue;
    return { lr, point: [lr, interp(Math.log10(lr), lrs.map(Math.log10), losses)] };
  };
}
export const slide = slideWith();

const argmin = (a: number[]) => a.reduce((best, v, i) => (v < a[best] ? i : best), 0);
const nearestLoss = (lrs: number[], losses: number[], lr: number) =>
  losses[argmin(lrs.map((l) => Math.abs(l - lr)))];

/** A tenth of the LR at the minimum loss. */
export const minimum: Suggestion = (lrs, losses) => {
  const lrMin = lrs[argmin(losses)];
  return { lr: lrMin / 10, point: [lrMin, nearestLoss(lrs, losses, lrMin)] };
};

/** Where the loss falls fastest per log-LR. */
export const steep: Suggestion = (lrs, losses) => {
  const grads = losses
    .slice(1)
    .map((l, i) => (l - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i])));
  const lr = lrs[argmin(grads)];
  return { lr, point: [lr, nearestLoss(lrs, losses, lr)] };
};

export const SUGGESTIONS = { valley, slide, minimum, steep } as const;
export type SuggestionName = keyof typeof SUGGESTIONS;

/** fastai lr_find's trimming: drop the first num_it/10 and last 5 points, and anything from the first NaN. */
export function suggestLrs(
  lrs: number[],
  losses: number[],
  numIt: number,
  names: SuggestionName[] = ['valley'],
) {
  const from = Math.floor(numIt / 10);
  let l = lrs.slice(from, -5);
  let s = losses.slice(from, -5);
  const nan = s.findIndex((v) => Number.isNaN(v));
  if (nan >= 0) [l, s] = [l.slice(0, nan), s.slice(0, nan)];
  return Object.fromEntries(names.map((nm) => [nm, SUGGESTIONS[nm](l, s, numIt)])) as Record<
    SuggestionName,
    ReturnType<Suggestion>
  >;
}
