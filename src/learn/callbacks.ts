// The callbacks that make the Learner fastai's: counters and modes, recording, schedules, the LR
// finder, stopping (divergence and best-model tracking: tracker.ts). Sources:
// fastai/callback/core.py (TrainEvalCallback), learner.py (Recorder, AvgSmoothLoss),
// callback/schedule.py (ParamScheduler, LRFinder).
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/model';
import { Callback, CancelFitException, CancelValidException } from './learner';
import type { Metric } from './metrics';
import type { Hypers, State } from './optimizer';
import { SchedExp, type Sched, type Scheds } from '../shared/schedule';
import type { EpochRow } from '../shared/protocol';

// ************* weights in memory *************

/** A bit-exact copy of a model's params and buffers. */
export type Weights = Map<string, tf.Tensor>;
export function saveWeights(model: Model): Weights {
  return new Map([...model.params, ...model.buffers].map(([k, v]) => [k, tf.clone(v)]));
}
export function loadWeights(model: Model, w: Weights) {
  for (const [k, v] of w) (model.params.get(k) ?? model.buffers.get(k))!.assign(v);
}
export const disposeWeights = (w?: Weights) => w && tf.dispose([...w.values()]);

// ************* counters and modes *************

/** fastai TrainEvalCallback: pct_train, train_iter, and the training flag. */
export class TrainEvalCallback extends Callback {
  order = -10;
  runValid = false;
  before_fit() {
    Object.assign(this.learn, { epoch: 0, trainIter: 0, pctTrain: 0 });
  }
  after_batch() {
    this.learn.pctTrain += 1 / (this.learn.nIter * this.learn.nEpoch);
    this.learn.trainIter += 1;
  }
  before_train() {
    this.learn.pctTrain = this.learn.epoch / this.learn.nEpoch;
    this.learn.training = true;
  }
  before_validate() {
    this.learn.training = false;
  }
}

// ************* recording *************

/** fastai AvgSmoothLoss: debiased exponential moving average (beta 0.98). */
export class SmoothLoss {
  count = 0;
  val = 0;
  constructor(public beta = 0.98) {}
  reset() {
    [this.count, this.val] = [0, 0];
  }
  accumulate(loss: number) {
    this.count += 1;
    this.val = loss + this.beta * (this.val - loss); // torch.lerp(loss, val, beta)
  }
  get value() {
    return this.val / (1 - this.beta ** this.count);
  }
}

/** fastai Recorder: per-batch smoothed loss, lr and mom; per-epoch table. */
export class Recorder extends Callback {
  order = 50;
  smooth = new SmoothLoss();
  lrs: number[] = [];
  moms: number[] = [];
  losses: number[] = [];
  values: EpochRow[] = [];
  private t0 = 0;
  private valid = {
    total: 0,
    count: 0,
    preds: [] as Float32Array[],
    targs: [] as (Float32Array | Int32Array)[],
  };

  before_fit() {
    this.smooth.reset();
    [this.lrs, this.moms, this.losses, this.values] = [[], [], [], []];
  }
  before_epoch() {
    this.t0 = performance.now();
  }
  before_validate() {
    this.valid = { total: 0, count: 0, preds: [], targs: [] };
  }
  async after_batch() {
    const l = this.learn;
    if (!l.training) {
      const bs = l.y!.shape[0];
      this.valid.total += l.lossValue * bs;
      this.valid.count += bs;
      if (l.metrics.length) {
        this.valid.preds.push((await l.pred!.data()) as Float32Array);
        this.valid.targs.push((await l.y!.data()) as Float32Array | Int32Array);
      }
      return;
    }
    this.smooth.accumulate(l.lossValue);
    const h = l.opt!.hypers[l.opt!.hypers.length - 1];
    this.lrs.push(h.lr);
    this.moms.push(h.mom);
    this.losses.push(this.smooth.value);
    l.smoothLoss = this.smooth.value;
  }
  after_epoch() {
    const v = this.valid;
    this.values.push({
      epoch: this.learn.epoch,
      trainLoss: this.smooth.value,
      validLoss: v.count ? v.total / v.count : NaN,
      metrics: Object.fromEntries(
        this.learn.metrics.map((m) => [m.name, metricOn(m, v.preds, v.targs, v.count)]),
      ),
      seconds: (performance.now() - this.t0) / 1000,
    });
  }
}

function metricOn(
  m: Metric,
  preds: Float32Array[],
  targs: (Float32Array | Int32Array)[],
  n: number,
) {
  if (!preds.length) return NaN;
  const cat = <T extends Float32Array | Int32Array>(parts: T[], out: T) => (
    parts.reduce((o, p) => (out.set(p, o), o + p.length), 0),
    out
  );
  const size = (parts: ArrayLike<number>[]) => parts.reduce((s, p) => s + p.length, 0);
  const p = cat(preds, new Float32Array(size(preds)));
  const t =
    targs[0] instanceof Int32Array
      ? cat(targs as Int32Array[], new Int32Array(size(targs)))
      : cat(targs as Float32Array[], new Float32Array(size(targs)));
  return m.value({ preds: p, targs: t, n, c: p.length / n });
}

// ************* schedules *************

/** fastai ParamScheduler: sets each scheduled hyper from pct_train before every training batch. */
export class ParamScheduler extends Callback {
  order = 60;
  runValid = false;
  hps: Record<string, number[]> = {};
  constructor(public scheds: Scheds) {
    super();
  }
  before_fit() {
    this.hps = Object.fromEntries(Object.keys(this.scheds).map((k) => [k, []]));
  }
  before_batch() {
    this.updateVal(this.learn.pctTrain);
  }
  protected updateVal(pct: number) {
    for (const [k, f] of Object.entries(this.scheds))
      this.learn.opt!.setHyper(k, Array.isArray(f) ? f.map((g) => g(pct)) : f(pct));
  }
  after_batch() {
    const last = this.learn.opt!.hypers[this.learn.opt!.hypers.length - 1];
    for (const k of Object.keys(this.scheds)) this.hps[k].push(last[k]);
  }
}

/** fastai LRFinder: exponential LR sweep; stops when the smoothed loss passes 4x its best;
 * restores weights, BN stats and optimizer state (bit-exact) afterwards. */
export class LRFinder extends ParamScheduler {
  bestLoss = Infinity;
  private saved?: { weights: Weights; opt?: { state: Map<string, State>; hypers: Hypers[] } };
  constructor(
    startLr: number | number[] = 1e-7,
    endLr: number | number[] = 10,
    public numIt = 100,
    public stopDiv = true,
  ) {
    super({
      lr: Array.isArray(startLr)
        ? startLr.map((s, i) => SchedExp(s, (endLr as number[])[i]))
        : (SchedExp(startLr, endLr as number) as Sched),
    });
    this.numIt = Math.max(numIt, 6);
  }
  before_fit() {
    super.before_fit();
    this.saved = { weights: saveWeights(this.learn.model), opt: this.learn.opt?.snapshot() };
    this.bestLoss = Infinity;
  }
  before_batch() {
    this.updateVal(this.learn.trainIter / this.numIt);
  }
  after_batch() {
    super.after_batch();
    const s = this.learn.smoothLoss;
    if (s < this.bestLoss) this.bestLoss = s;
    if (s > 4 * this.bestLoss && this.stopDiv) throw new CancelFitException();
    if (this.learn.trainIter >= this.numIt) throw new CancelFitException();
  }
  before_validate() {
    throw new CancelValidException();
  }
  after_fit() {
    if (!this.saved) return;
    loadWeights(this.learn.model, this.saved.weights);
    disposeWeights(this.saved.weights);
    if (this.saved.opt) this.learn.opt!.restore(this.saved.opt);
    else this.learn.opt?.dispose();
    this.saved = undefined;
  }
}

// ************* control *************

/** Stop or pause between batches (the worker's `control` flags). */
export class InterruptCallback extends Callback {
  order = -5;
  stopped = false;
  constructor(
    public shouldStop: () => boolean,
    public isPaused: () => boolean = () => false,
  ) {
    super();
  }
  async before_batch() {
    // Yield to the event loop so `stop`/`pause` messages get handled mid-run.
    await new Promise((r) => setTimeout(r, 0));
    while (this.isPaused() && !this.shouldStop()) await new Promise((r) => setTimeout(r, 50));
    if (this.shouldStop()) {
      this.stopped = true;
      throw new CancelFitException();
    }
  }
}
