// The Learner: fastai's training loop (fastai/learner.py) in TypeScript. The loop is small:
// fit -> epoch -> train/validate -> batch -> step, each level wrapped by `withEvents` with its
// own cancel exception. Counters, train/eval mode, recording, schedules, stopping: callbacks.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Batches } from './batches';
import { freezeTo, isBatchNormKey, type Model } from '../models/model';
import { lossAndGrads } from './grads';
import { CrossEntropyLossFlat, lossMean, type LossFunc } from './losses';
import type { Metric } from './metrics';
import { Adam, type OptFunc, type Optimizer } from './optimizer';
import type { Lr } from '../shared/schedule';

// ************* events and cancellation *************

/** Every event, in loop order (fastai callback/core.py `_events`): the compiler catches typos. */
export const EVENTS = [
  'after_create', 'before_fit', 'before_epoch', 'before_train', 'before_batch', 'after_pred', 'after_loss',
  'before_backward', 'after_cancel_backward', 'after_backward', 'before_step', 'after_cancel_step', 'after_step',
  'after_cancel_batch', 'after_batch', 'after_cancel_train', 'after_train', 'before_validate', 'after_cancel_validate',
  'after_validate', 'after_cancel_epoch', 'after_epoch', 'after_cancel_fit', 'after_fit',
] as const; // prettier-ignore
export type EventName = (typeof EVENTS)[number];
type Level = 'fit' | 'epoch' | 'train' | 'validate' | 'batch' | 'backward' | 'step';

/** Events inside a batch: only these respect a callback's runTrain/runValid (fastai `_inner_loop`). */
const INNER_LOOP = new Set<EventName>([
  'before_batch', 'after_pred', 'after_loss', 'before_backward', 'after_cancel_backward', 'after_backward',
  'before_step', 'after_step', 'after_cancel_batch', 'after_batch',
]); // prettier-ignore

export class CancelFitException extends Error {}
export class CancelEpochException extends Error {}
export class CancelTrainException extends Error {}
export class CancelValidException extends Error {}
export class CancelBatchException extends Error {}
export class CancelBackwardException extends Error {}
export class CancelStepException extends Error {}

type Hook = () => void | Promise<void>;
const hookOf = (cb: Callback, event: EventName) =>
  (cb as unknown as Partial<Record<EventName, Hook>>)[event];

/** A callback implements only the hooks it needs, as methods named by EVENTS; `order` sorts
 * them (lower runs first). */
export class Callback {
  order = 0;
  runTrain = true;
  runValid = true;
  learn!: Learner;
  get name() {
    return this.constructor.name;
  }
}

// ************* the learner *************

export interface LearnerOptions {
  lossFunc?: LossFunc;
  optFunc?: OptFunc;
  lr?: number;
  /** Overrides the optimizer's default weight decay (Adam: 0.01). */
  wd?: number;
  /** Weight decay on BN and bias params too (fastai default false). */
  wdBnBias?: boolean;
  metrics?: Metric[];
  cbs?: Callback[];
}

export class Learner {
  lossFunc: LossFunc;
  optFunc: OptFunc;
  lr: number;
  wd?: number;
  wdBnBias: boolean;
  metrics: Metric[];
  cbs: Callback[] = [];
  opt?: Optimizer;

  // Loop state, read and written by callbacks (fastai keeps the same names on the learner).
  nEpoch = 1;
  /** First epoch `fit` runs (fastai start_epoch): recovery resumes a fit mid-way with it. */
  startEpoch = 0;
  epoch = 0;
  iter = 0;
  nIter = 0;
  trainIter = 0;
  /** Training passes drawn over the learner's life (not reset per fit): each pass's shuffle and
   * augmentation seed. fastai's RNG runs on across fits, so fine_tune's unfrozen epoch must not
   * replay the frozen epoch's batches (seeding by `epoch` did exactly that). */
  dataPasses = 0;
  pctTrain = 0;
  training = false;
  x?: tf.Tensor4D;
  y?: tf.Tensor;
  pred?: tf.Tensor2D;
  loss?: tf.Scalar;
  lossValue = NaN;
  smoothLoss = NaN;
  /** Gradients of this batch by param key (tfjs computes them with the loss: see doOneBatch). */
  grads = new Map<string, tf.Tensor>();

  constructor(
    public model: Model,
    public data: Batches,
    o: LearnerOptions = {},
    defaultCbs: Callback[] = [],
  ) {
    this.lossFunc = o.lossFunc ?? CrossEntropyLossFlat();
    this.optFunc = o.optFunc ?? Adam();
    this.lr = o.lr ?? 1e-3;
    this.wd = o.wd;
    this.wdBnBias = o.wdBnBias ?? false;
    this.metrics = o.metrics ?? [];
    this.addCbs([...defaultCbs, ...(o.cbs ?? [])]);
  }

  addCbs(cbs: Callback[]) {
    for (const cb of cbs) cb.learn = this;
    this.cbs = [...this.cbs, ...cbs].sort((a, b) => a.order - b.order);
  }
  removeCbs(cbs: Callback[]) {
    this.cbs = this.cbs.filter((c) => !cbs.includes(c));
  }
  cb<T extends Callback>(cls: new (...a: never[]) => T): T | undefined {
    return this.cbs.find((c) => c instanceof cls) as T | undefined;
  }

  /** Run one event on every callback that wants it (fastai Learner.__call__). */
  async call(event: EventName) {
    for (const cb of this.cbs) {
      const run =
        !INNER_LOOP.has(event) || (cb.runTrain && this.training) || (cb.runValid && !this.training);
      const hook = hookOf(cb, event);
      if (run && hook) await hook.call(cb);
    }
  }

  private async withEvents(
    f: () => Promise<void>,
    level: Level,
    Ex: new () => Error,
    final?: () => void,
  ) {
    try {
      await this.call(`before_${level}` as EventName);
      await f();
    } catch (e) {
      if (!(e instanceof Ex)) return this.fault(e, level, final);
      await this.call(`after_cancel_${level}` as EventName);
    }
    await this.call(`after_${level}` as EventName);
    final?.();
  }

  /** A fault (an error that is not a cancel: out of GPU memory, a bug) skips the after events on
   * its way up, except after_fit: that one runs as a finally, so callbacks free what they hold
   * and lr_find puts the weights back. Each hook runs on its own: one that throws too (a lost
   * device) must neither stop the others nor hide the fault. */
  private async fault(e: unknown, level: Level, final?: () => void): Promise<never> {
    if (level === 'fit') {
      for (const cb of this.cbs)
        try {
          await hookOf(cb, 'after_fit')?.call(cb);
        } catch {
          // The fault is the error to report; this one is most likely its consequence.
        }
      final?.();
    }
    throw e;
  }

  // ************* optimizer and freezing *************

  createOpt() {
    this.opt?.dispose();
    const m = this.model;
    // fastai wd_bn_bias=False: no weight decay on BN params or any bias.
    const noWd = this.wdBnBias
      ? new Set<string>()
      : new Set([...m.params.keys()].filter((k) => k.endsWith('.bias') || isBatchNormKey(m, k)));
    this.opt = this.optFunc(m.params, m.groups, noWd);
  }

  /** fastai freeze_to: also clears the optimizer state (keeping do_wd). */
  freezeTo(n: number) {
    freezeTo(this.model, n);
    this.opt?.clearState();
  }
  freeze = () => this.freezeTo(-1);
  unfreeze = () => this.freezeTo(0);

  // ************* the loop *************

  async fit(
    nEpoch: number,
    o: { lr?: Lr; wd?: number; cbs?: Callback[]; resetOpt?: boolean } = {},
  ) {
    const cbs = o.cbs ?? [];
    this.addCbs(cbs);
    try {
      if (o.resetOpt || !this.opt) this.createOpt();
      const wd = o.wd ?? this.wd;
      if (wd !== undefined) this.opt!.setHyper('wd', wd);
      this.opt!.setHyper('lr', o.lr ?? this.lr);
      this.nEpoch = nEpoch;
      await this.withEvents(
        () => this.doFit(),
        'fit',
        CancelFitException,
        () => this.endCleanup(),
      );
    } finally {
      this.removeCbs(cbs);
    }
  }

  private async doFit() {
    // startEpoch: fastai fit(start_epoch); set by a callback's before_fit to resume a run.
    for (let epoch = this.startEpoch; epoch < this.nEpoch; epoch++) {
      this.epoch = epoch;
      await this.withEvents(() => this.doEpoch(), 'epoch', CancelEpochException);
    }
  }

  private async doEpoch() {
    this.nIter = this.data.nTrain;
    await this.withEvents(
      () => this.allBatches(this.data.train(this.dataPasses++)),
      'train',
      CancelTrainException,
    );
    this.nIter = this.data.nValid;
    await this.withEvents(
      () => this.allBatches(this.data.valid()),
      'validate',
      CancelValidException,
    );
  }

  private async allBatches(batches: AsyncIterable<Batch>) {
    let i = 0;
    for await (const b of batches) await this.oneBatch(i++, b);
  }

  private async oneBatch(i: number, b: Batch) {
    this.iter = i;
    this.x = b.x;
    this.y = b.y;
    try {
      await this.withEvents(() => this.doOneBatch(), 'batch', CancelBatchException);
    } finally {
      // Callbacks may have replaced x/y (mixup): the originals and the replacements go.
      tf.dispose([b.x, b.y, this.x, this.y, this.pred!, this.loss!, ...this.grads.values()]);
      this.grads.clear();
    }
  }

  /** NOTE: tfjs computes the forward pass, the loss and the gradients in one taped call, so
   * after_pred/after_loss/backward events fire after it; the step is still its own level. */
  private async doOneBatch() {
    const { model, x, y } = this;
    if (!this.training) {
      this.pred = model.forward(x!, { training: false });
      await this.call('after_pred');
      this.loss = lossMean(this.lossFunc, this.pred, y!);
    } else {
      ({ loss: this.loss, grads: this.grads } = lossAndGrads(model, () => {
        const pred = model.forward(x!, { training: true });
        this.pred = tf.keep(pred);
        return lossMean(this.lossFunc, pred, y!);
      }));
      await this.call('after_pred');
    }
    this.lossValue = (await this.loss.data())[0];
    await this.call('after_loss');
    if (!this.training) return;
    await this.withEvents(async () => {}, 'backward', CancelBackwardException);
    await this.withEvents(async () => this.opt!.step(this.grads), 'step', CancelStepException);
  }

  private endCleanup() {
    this.x = this.y = this.pred = this.loss = undefined;
  }
}
