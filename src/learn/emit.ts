// The bridge to the UI: one more listener on the loop. Posts a record per training batch and a
// row per epoch (with the tensor count, so leaks show up in the UI and in tests).
import * as tf from '@tensorflow/tfjs';
import { Recorder, type EpochRow } from './callbacks';
import { Callback } from './learner';

export interface BatchRecord {
  iter: number;
  of: number;
  epoch: number;
  loss: number;
  smoothLoss: number;
  lr: number;
  mom: number;
}

export class EmitCallback extends Callback {
  order = 70; // after Recorder and ParamScheduler
  constructor(
    public onBatch: (r: BatchRecord) => void,
    public onEpoch: (r: EpochRow & { numTensors: number }) => void,
  ) {
    super();
  }
  after_batch() {
    const l = this.learn;
    if (!l.training) return;
    const h = l.opt!.hypers[l.opt!.hypers.length - 1];
    this.onBatch({ iter: l.trainIter, of: l.nIter * l.nEpoch, epoch: l.epoch, loss: l.lossValue, smoothLoss: l.smoothLoss, lr: h.lr, mom: h.mom });
  }
  after_epoch() {
    const rec = this.learn.cb(Recorder)!;
    this.onEpoch({ ...rec.values[rec.values.length - 1], numTensors: tf.memory().numTensors });
  }
}
