// The session's training history across fits (fastai's Recorder starts afresh at each fit; a
// session archive needs all of it): every training batch with a global iteration number, every
// epoch row, and each fit's arguments, so an imported session's curves continue where they stopped.
import { Recorder } from './callbacks';
import { Callback } from './learner';
import type { FitRecord, HistoryBatch, HistoryData, HistoryEpoch } from '../shared/protocol';

export class History implements HistoryData {
  batches: HistoryBatch[] = [];
  epochs: HistoryEpoch[] = [];
  fits: FitRecord[] = [];
  static from(d: HistoryData): History {
    return Object.assign(new History(), structuredClone(d));
  }
  toJSON(): HistoryData {
    return { batches: this.batches, epochs: this.epochs, fits: this.fits };
  }
  /** Training iterations so far (BatchNorm's num_batches_tracked on the training path). */
  get iterations() {
    return this.batches.length;
  }
}

/** Appends a fit's batches and epoch rows to the session history (after Recorder: smooth loss). */
export class HistoryCallback extends Callback {
  order = 60;
  private fit: number;
  constructor(
    private history: History,
    args: object,
    at: { frozenGroups?: number; size?: number } = {},
  ) {
    super();
    this.fit = history.fits.length;
    history.fits.push({
      args: JSON.parse(JSON.stringify(args)),
      startIter: history.batches.length,
      epochsDone: 0,
      ...at,
    });
  }
  after_batch() {
    const l = this.learn;
    if (!l.training) return;
    const h = l.opt!.hypers[l.opt!.hypers.length - 1];
    this.history.batches.push({
      iter: this.history.batches.length,
      fit: this.fit,
      epoch: l.epoch,
      loss: l.lossValue,
      smoothLoss: l.smoothLoss,
      lr: h.lr,
      mom: h.mom,
    });
  }
  after_epoch() {
    const rec = this.learn.cb(Recorder)!;
    const row = rec.values[rec.values.length - 1];
    if (row) this.history.epochs.push({ ...row, fit: this.fit });
    this.history.fits[this.fit].epochsDone += 1;
  }
}

// One history per Learner (a new setupLearner makes a new Learner, hence a fresh history).
const histories = new WeakMap<object, History>();
export function historyOf(learn: object): History {
  let h = histories.get(learn);
  if (!h) histories.set(learn, (h = new History()));
  return h;
}
export const setHistory = (learn: object, h: History) => void histories.set(learn, h);
