// Tracking the run's quality (fastai/callback/tracker.py): stop on a diverged loss with the last
// good weights back, and keep the best epoch's weights (SaveModelCallback, in memory).
import { disposeWeights, loadWeights, Recorder, saveWeights, type Weights } from './callbacks';
import { Callback, CancelFitException } from './learner';

/** Stops on a NaN/Inf training loss, restores the weights from before the step that broke
 * them, and reports that step's LR. Snapshots every `every` batches (a copy of the weights). */
export class DivergenceGuard extends Callback {
  order = 55; // after Recorder: the diverged batch is still on the loss curve
  diverged?: { lr: number; iter: number; loss: number };
  private good?: Weights;
  private lastLr = NaN;
  constructor(public every = 1) {
    super();
  }
  before_fit() {
    this.diverged = undefined;
  }
  after_loss() {
    if (!this.learn.training) return;
    if (!Number.isFinite(this.learn.lossValue)) {
      if (this.good) loadWeights(this.learn.model, this.good);
      this.diverged = { lr: this.lastLr, iter: this.learn.trainIter, loss: this.learn.lossValue };
      throw new CancelFitException();
    }
  }
  before_step() {
    if (this.learn.trainIter % this.every === 0) {
      disposeWeights(this.good);
      this.good = saveWeights(this.learn.model);
    }
    this.lastLr = Math.max(...this.learn.opt!.hypers.map((h) => h.lr));
  }
  after_fit() {
    disposeWeights(this.good);
    this.good = undefined;
  }
}

/** fastai SaveModelCallback, in memory: keep the best epoch's weights, load them after fit. */
export class SaveModelCallback extends Callback {
  order = 61;
  best = NaN;
  bestEpoch = -1;
  private weights?: Weights;
  constructor(
    public monitor = 'valid_loss',
    public opts: { minDelta?: number; atEnd?: boolean; higherIsBetter?: boolean } = {},
  ) {
    super();
  }
  private get lower() {
    // fastai: np.less when the name says loss or error, np.greater otherwise.
    return this.opts.higherIsBetter === undefined
      ? /loss|error/.test(this.monitor)
      : !this.opts.higherIsBetter;
  }
  before_fit() {
    this.best = this.lower ? Infinity : -Infinity;
    this.bestEpoch = -1;
  }
  after_epoch() {
    const rec = this.learn.cb(Recorder)!;
    const row = rec.values[rec.values.length - 1];
    const v =
      this.monitor === 'valid_loss'
        ? row.validLoss
        : this.monitor === 'train_loss'
          ? row.trainLoss
          : row.metrics[this.monitor];
    const d = this.opts.minDelta ?? 0;
    if (this.lower ? v < this.best - d : v > this.best + d) {
      [this.best, this.bestEpoch] = [v, this.learn.epoch];
      disposeWeights(this.weights);
      this.weights = saveWeights(this.learn.model);
    }
  }
  after_fit() {
    if (this.weights && !this.opts.atEnd) loadWeights(this.learn.model, this.weights);
    disposeWeights(this.weights);
    this.weights = undefined;
  }
}
