// The fastai training policies on top of Learner.fit (fastai/callback/schedule.py patches them
// onto Learner; here they are functions of a learner): fit_one_cycle, fit_sgdr, fine_tune, lr_find.
import { LRFinder, ParamScheduler, Recorder, TrainEvalCallback } from './callbacks';
import type { Batches } from './batches';
import { Learner, type Callback, type LearnerOptions } from './learner';
import type { Model } from '../models/model';
import { canPrecompute, precompute, type FeatureCache } from './precompute';
import {
  FINE_TUNE,
  ONE_CYCLE,
  oneCycleScheds,
  sgdrPlan,
  suggestLrs,
  type Lr,
  type SuggestionName,
} from '../shared/schedule';
import type { LrFindResult } from '../shared/protocol';

/** A Learner with fastai's default callbacks (TrainEvalCallback, Recorder). */
export const learner = (model: Model, data: Batches, o: LearnerOptions = {}) =>
  new Learner(model, data, o, [new TrainEvalCallback(), new Recorder()]);

/** Per-group LRs after `set_hyper('lr', lr)` (fastai reads them back from opt.hypers). */
function groupLrs(learn: Learner, lr?: Lr): number[] {
  if (!learn.opt) learn.createOpt();
  learn.opt!.setHyper('lr', lr ?? learn.lr);
  return learn.opt!.hypers.map((h) => h.lr);
}

export interface OneCycleOpts extends Partial<typeof ONE_CYCLE> {
  wd?: number;
  cbs?: Callback[];
  resetOpt?: boolean;
}

export async function fitOneCycle(
  learn: Learner,
  nEpoch: number,
  lrMax?: Lr,
  o: OneCycleOpts = {},
) {
  const scheds = oneCycleScheds(groupLrs(learn, lrMax), o);
  await learn.fit(nEpoch, {
    cbs: [new ParamScheduler(scheds), ...(o.cbs ?? [])],
    wd: o.wd,
    resetOpt: o.resetOpt,
  });
}

export async function fitSgdr(
  learn: Learner,
  nCycles: number,
  cycleLen: number,
  lrMax?: Lr,
  o: { cycleMult?: number; wd?: number; cbs?: Callback[] } = {},
) {
  const { nEpoch, scheds } = sgdrPlan(nCycles, cycleLen, groupLrs(learn, lrMax), o.cycleMult ?? 2);
  await learn.fit(nEpoch, { cbs: [new ParamScheduler(scheds), ...(o.cbs ?? [])], wd: o.wd });
}

/**
 * Runs `f` on a Learner that trains only `learn`'s head on cached body features (fastai v0.7
 * `precompute=True`): the body runs once, in eval mode, over one pass of the training set and the
 * validation set. Same loss, metrics, optimizer kind and wd; the head's variables are `learn`'s.
 */
export async function onPrecomputed<T>(
  learn: Learner,
  o: PrecomputeOptions,
  f: (head: Learner) => Promise<T>,
): Promise<T> {
  const m = learn.model;
  if (!canPrecompute(m)) throw new Error(`precompute: '${m.arch}' is not a body + head model`);
  // The cached features are only valid while the body does not train (fastai v0.7 precompute).
  learn.freeze();
  const make = () => precompute(m, learn.data, o.bs, o.seed);
  const pre = o.cache ? await o.cache.get(learn, make) : await make();
  const head = learner(pre.model, pre.data, {
    lossFunc: learn.lossFunc,
    optFunc: learn.optFunc,
    lr: learn.lr,
    wd: learn.wd,
    wdBnBias: learn.wdBnBias,
    metrics: learn.metrics,
  });
  try {
    return await f(head);
  } finally {
    head.opt?.dispose();
    if (!o.cache) pre.dispose();
  }
}

/** Precompute's batch size and shuffle seed; `cache`: keep the features for the next command. */
export interface PrecomputeOptions {
  bs: number;
  seed?: number;
  cache?: FeatureCache;
}

/** fastai fine_tune: frozen one-cycle (pct_start .99), then base_lr/2 unfrozen with slice(base_lr/lr_mult, base_lr).
 * `precompute`: the frozen phase trains the head on cached body features (see onPrecomputed). */
export async function fineTune(
  learn: Learner,
  epochs: number,
  o: Partial<typeof FINE_TUNE> & {
    moms?: (typeof ONE_CYCLE)['moms'];
    cbs?: Callback[];
    precompute?: PrecomputeOptions;
  } = {},
) {
  const baseLr = o.baseLr ?? FINE_TUNE.baseLr;
  const { freezeEpochs, lrMult, pctStart, div } = { ...FINE_TUNE, ...o };
  learn.freeze();
  const frozen = (l: Learner) =>
    fitOneCycle(l, freezeEpochs, { hi: baseLr }, { pctStart: 0.99, moms: o.moms, cbs: o.cbs });
  if (o.precompute) await onPrecomputed(learn, o.precompute, frozen);
  else await frozen(learn);
  o.precompute?.cache?.clear(); // the body trains from here: its features are stale (and large)
  const half = baseLr / 2;
  learn.unfreeze();
  const unfrozen = { pctStart, div, moms: o.moms, cbs: o.cbs };
  await fitOneCycle(learn, epochs, { lo: half / lrMult, hi: half }, unfrozen);
}

/** fastai lr_find: an exponential sweep 1e-7 -> 10 over 100 iterations; weights restored. */
export async function lrFind(
  learn: Learner,
  o: {
    startLr?: number;
    endLr?: number;
    numIt?: number;
    stopDiv?: boolean;
    suggest?: SuggestionName[];
    cbs?: Callback[];
  } = {},
): Promise<LrFindResult> {
  const numIt = o.numIt ?? 100;
  const nEpoch = Math.floor(numIt / learn.data.nTrain) + 1;
  await learn.fit(nEpoch, {
    cbs: [
      new LRFinder(o.startLr ?? 1e-7, o.endLr ?? 10, numIt, o.stopDiv ?? true),
      ...(o.cbs ?? []),
    ],
  });
  const rec = learn.cb(Recorder)!;
  const [lrs, losses] = [[...rec.lrs], [...rec.losses]];
  const suggestions = suggestLrs(lrs, losses, numIt, o.suggest ?? ['valley']);
  return { numIt, lrs, losses, suggestions };
}
