// The bridge to the UI: one more listener on the loop. Posts a record per training batch and a
// row per epoch (with the tensor count, so leaks show up in the UI and in tests).
import * as tf from '@tensorflow/tfjs';
import { Recorder } from './callbacks';
import { Callback } from './learner';
import type { BatchRecord, EpochRow } from '../shared/protocol';

export class EmitCallback extends Callback {
  order = 70; // after Recorder and ParamScheduler
  constructor(
    public onBatch: (r: BatchRecord) => void,
    public onEpoch: (r: EpochRow & { numTensors: number }) => void,
  ) {
    super();
  }
  private t0 = 0;
  before_fit() {
    this.t0 = performance.now();
  }
  after_batch() {
    const l = this.learn;
    if (!l.training) return;
    const elapsed = (performance.now() - this.t0) / 1000;
    const bs = l.x?.shape[0] ?? 0;
    const h = l.opt!.hypers[l.opt!.hypers.length - 1];
    this.onBatch({
      iter: l.trainIter,
      of: l.nIter * l.nEpoch,
      epoch: l.epoch,
      loss: l.lossValue,
      smoothLoss: l.smoothLoss,
      lr: h.lr,
      mom: h.mom,
      elapsed,
      bs,
    });
  }
  after_epoch() {
    const rec = this.learn.cb(Recorder)!;
    this.onEpoch({ ...rec.values[rec.values.length - 1], numTensors: tf.memory().numTensors });
  }
}
