// The Learner loop on the CPU backend with the tiny BN CNN and the procedural demo data:
// epoch table, schedules as recorded, lr_find restoring everything bit-exactly, divergence,
// best-model restore, mixup, TTA, progressive resizing, losses/metrics on fixed inputs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/learn/callbacks';
import { DivergenceGuard, SaveModelCallback } from '../../src/learn/tracker';
import { demoBatches, type DemoDataArgs } from '../../src/learn/demoData';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { fitOneCycle, fitSgdr, fineTune, learner, lrFind } from '../../src/learn/fit';
import { Callback, type Learner } from '../../src/learn/learner';
import {
  BCEWithLogitsLossFlat,
  CrossEntropyLossFlat,
  LabelSmoothingCrossEntropy,
  lossMean,
} from '../../src/learn/losses';
import {
  accuracy,
  accuracyMulti,
  errorRate,
  F1Score,
  Precision,
  Recall,
} from '../../src/learn/metrics';
import { MixUp, sampleBeta } from '../../src/learn/mixup';
import { schedCos } from '../../src/shared/schedule';
import { tta } from '../../src/learn/tta';
import { seededRandom } from '../../src/shared/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DATA: DemoDataArgs = { size: 12, bs: 8, nTrain: 4, nValid: 2, seed: 3 };
const make = (o: Partial<DemoDataArgs> = {}, seed = 1) =>
  learner(tinyBnCnn(3, seed), demoBatches({ ...DATA, ...o }), { metrics: [accuracy, errorRate] });

/** Every number in the model and the optimizer state, as bytes. */
function fingerprint(learn: Learner): number[] {
  const out: number[] = [];
  for (const v of [...learn.model.params.values(), ...learn.model.buffers.values()])
    out.push(...new Uint32Array(v.dataSync().buffer));
  for (const s of learn.opt?.state.values() ?? [])
    for (const v of Object.values(s))
      out.push(...(v instanceof tf.Tensor ? new Uint32Array(v.dataSync().buffer) : [Number(v)]));
  return out;
}

class TensorCounter extends Callback {
  counts: number[] = [];
  after_epoch() {
    this.counts.push(tf.memory().numTensors);
  }
}

describe('Learner', () => {
  it('fit_one_cycle: epoch table, recorded lr/mom follow the schedule, no tensor leak between epochs', async () => {
    const learn = make();
    const counter = new TensorCounter();
    learn.addCbs([counter]);
    await fitOneCycle(learn, 6, 2e-2);
    const rec = learn.cb(Recorder)!;
    expect(rec.values.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of rec.values) expect(Object.keys(r.metrics)).toEqual(['accuracy', 'error_rate']);
    expect(rec.values[0].metrics.accuracy + rec.values[0].metrics.error_rate).toBeCloseTo(1, 9);
    // 24 iterations: lr at iteration i = combined_cos(.25, 2e-2/25, 2e-2, 2e-2/1e5)(i/24).
    expect(rec.lrs).toHaveLength(24);
    rec.lrs.forEach((lr, i) => {
      const pct = i / 24;
      expect(lr).toBeCloseTo(
        pct < 0.25 ? schedCos(8e-4, 2e-2, pct / 0.25) : schedCos(2e-2, 2e-7, (pct - 0.25) / 0.75),
        9,
      );
    });
    expect(rec.moms[6]).toBeCloseTo(0.85, 9);
    expect(rec.values[5].trainLoss).toBeLessThan(rec.values[0].trainLoss);
    expect(new Set(counter.counts.slice(1)).size).toBe(1); // after epoch 1 (opt state exists) nothing grows
    learn.model.dispose();
    learn.opt!.dispose();
  });

  it('lr_find: sweeps 1e-7 exponentially, stops on divergence, restores weights, BN stats and Adam state bit-exactly', async () => {
    const learn = make();
    await fitOneCycle(learn, 1, 1e-2); // so there is Adam state and moved BN stats to restore
    const before = fingerprint(learn);
    const nTensors = tf.memory().numTensors;
    const r = await lrFind(learn, { numIt: 40 });
    expect(r.lrs[0]).toBeCloseTo(1e-7, 15);
    expect(r.lrs[1]).toBeCloseTo(1e-7 * 1e8 ** (1 / 40), 12);
    expect(r.lrs.length).toBeLessThanOrEqual(40);
    expect(r.suggestions.valley.lr).toBeGreaterThan(1e-7);
    expect(fingerprint(learn)).toEqual(before);
    expect(tf.memory().numTensors).toBe(nTensors);
  });

  it('divergence guard: a huge LR stops the run, restores finite weights and names the LR', async () => {
    const learn = make();
    const guard = new DivergenceGuard();
    learn.addCbs([guard]);
    await learn.fit(2, { lr: 1e9 });
    expect(guard.diverged).toBeDefined();
    expect(guard.diverged!.lr).toBe(1e9);
    for (const v of learn.model.params.values())
      expect(v.dataSync().every(Number.isFinite)).toBe(true);
    expect(learn.cb(Recorder)!.values.length).toBeLessThan(2);
  });

  it('SaveModelCallback restores the best epoch', async () => {
    const learn = make();
    const save = new SaveModelCallback('valid_loss');
    let bestWeights: number[] = [];
    class Spy extends Callback {
      order = 62; // after SaveModelCallback's after_epoch
      after_epoch() {
        if (save.bestEpoch === this.learn.epoch)
          bestWeights = fingerprint(this.learn).slice(0, 500);
      }
    }
    await fitSgdr(learn, 2, 1, 5e-2, { cbs: [save, new Spy()] });
    const rows = learn.cb(Recorder)!.values;
    expect(rows).toHaveLength(3);
    expect(save.best).toBe(Math.min(...rows.map((r) => r.validLoss)));
    expect(fingerprint(learn).slice(0, 500)).toEqual(bestWeights);
  });

  it('fine_tune: frozen phase trains only the head (+BN), then everything, with discriminative LRs', async () => {
    const learn = make();
    const conv = () => Array.from(learn.model.params.get('conv1.weight')!.dataSync());
    const w0 = conv();
    const seen: { frozen: number; lrs: number[] }[] = [];
    class Spy extends Callback {
      order = 65;
      after_batch() {
        if (this.learn.training && this.learn.iter === 0)
          seen.push({
            frozen: this.learn.model.frozenGroups,
            lrs: this.learn.opt!.hypers.map((h) => h.lr),
          });
      }
      after_fit() {
        if (this.learn.model.frozenGroups === 1) expect(conv()).toEqual(w0);
      }
    }
    await fineTune(learn, 1, { cbs: [new Spy()] });
    expect(seen[0].frozen).toBe(1);
    expect(seen[0].lrs.map((v) => v / seen[0].lrs[1])).toEqual(
      [0.1, 1].map((v) => expect.closeTo(v, 12)),
    );
    expect(seen[1].frozen).toBe(0);
    expect(seen[1].lrs[0]).toBeCloseTo(1e-5 / 5, 15); // slice(1e-3/100, 1e-3), div 5, iteration 0
    expect(seen[1].lrs[1]).toBeCloseTo(1e-3 / 5, 15);
    expect(conv()).not.toEqual(w0);
  });

  it("fine_tune's unfrozen epoch draws new batches, not a replay of the frozen epoch's", async () => {
    const learn = make();
    const firstBatch: number[][] = [];
    class Spy extends Callback {
      before_batch() {
        if (this.learn.training && this.learn.iter === 0)
          firstBatch.push(Array.from(this.learn.x!.dataSync().slice(0, 64)));
      }
    }
    await fineTune(learn, 1, { cbs: [new Spy()] });
    expect(firstBatch).toHaveLength(2);
    expect(firstBatch[1]).not.toEqual(firstBatch[0]);
    expect(learn.dataPasses).toBe(2);
  });

  it('mixup, TTA and progressive resizing run on the same learner', async () => {
    const learn = make();
    await fitOneCycle(learn, 1, 1e-2, { cbs: [new MixUp(0.4)] });
    expect(learn.lossFunc.name).toBe('CrossEntropyLossFlat'); // restored after training
    const t = await tta(learn, { n: 2 });
    expect(t.n).toBe(16);
    const rowSums = Array.from(
      { length: t.n },
      (_, i) => t.preds[i * 3] + t.preds[i * 3 + 1] + t.preds[i * 3 + 2],
    );
    for (const s of rowSums) expect(s).toBeCloseTo(1, 5);
    // Progressive resizing: same weights, bigger images.
    learn.data = demoBatches({ ...DATA, size: 20 });
    await fitOneCycle(learn, 1, 1e-2);
    expect(learn.cb(Recorder)!.values[0].validLoss).toBeGreaterThan(0);
  });
});

// ************* faults: an error that is not a cancel (what GPU out-of-memory looks like) *************

/** Throws a plain Error on the k-th training batch's after_batch. */
class ThrowOnBatch extends Callback {
  order = 100;
  n = 0;
  constructor(public k: number) {
    super();
  }
  after_batch() {
    if (this.learn.training && ++this.n === this.k) throw new Error('simulated fault');
  }
}

/** The learner's loss, throwing inside the taped forward/backward of the k-th training batch. */
function throwingLoss(learn: Learner, k: number) {
  const base = learn.lossFunc;
  let n = 0;
  learn.lossFunc = {
    ...base,
    perItem: (pred, y) => {
      if (learn.training && ++n === k) throw new Error('failed to allocate buffer: out of memory');
      return base.perItem(pred, y);
    },
  };
  return base;
}

describe('a fault mid-run leaves no tensor behind', () => {
  /** A learner that has trained once (Adam state, moved BN stats) with guards holding weights. */
  async function trained() {
    const learn = make();
    learn.addCbs([new DivergenceGuard(), new SaveModelCallback('valid_loss')]);
    await fitOneCycle(learn, 1, 1e-2);
    return learn;
  }

  it('lr_find: a callback or the loss throwing on batch 3 restores weights and Adam state bit-exactly', async () => {
    const learn = await trained();
    const before = fingerprint(learn);
    const nTensors = tf.memory().numTensors;
    await expect(lrFind(learn, { numIt: 20, cbs: [new ThrowOnBatch(3)] })).rejects.toThrow(
      'simulated fault',
    );
    expect(tf.memory().numTensors).toBe(nTensors);
    expect(fingerprint(learn)).toEqual(before);
    const base = throwingLoss(learn, 3);
    await expect(lrFind(learn, { numIt: 20 })).rejects.toThrow('out of memory');
    learn.lossFunc = base;
    expect(tf.memory().numTensors).toBe(nTensors);
    expect(fingerprint(learn)).toEqual(before);
    // And the learner is fine afterwards: a normal lr_find still works and restores.
    await lrFind(learn, { numIt: 10 });
    expect(fingerprint(learn)).toEqual(before);
  });

  it("fit: a fault in after_batch or in the loss frees the batch and the guards' weights", async () => {
    const learn = await trained();
    const nTensors = tf.memory().numTensors;
    await expect(learn.fit(2, { cbs: [new ThrowOnBatch(6)] })).rejects.toThrow('simulated fault');
    expect(tf.memory().numTensors).toBe(nTensors);
    const base = throwingLoss(learn, 2);
    await expect(fitOneCycle(learn, 1, 1e-2)).rejects.toThrow('out of memory');
    learn.lossFunc = base;
    expect(tf.memory().numTensors).toBe(nTensors);
  });

  it('mixup: a failed batch frees its mixed targets and puts the loss back', async () => {
    const learn = await trained();
    const base = learn.lossFunc;
    const nTensors = tf.memory().numTensors;
    const mix = () => new MixUp(0.4, 1);
    await expect(learn.fit(1, { cbs: [mix(), new ThrowOnBatch(2)] })).rejects.toThrow('simulated');
    expect(learn.lossFunc).toBe(base);
    expect(tf.memory().numTensors).toBe(nTensors);
    // The fault inside the loss, while MixUp's blended loss is the learner's.
    class ThrowInLoss extends Callback {
      order = 1; // after MixUp's before_train has swapped the loss in
      before_train() {
        throwingLoss(this.learn, 2);
      }
    }
    await expect(learn.fit(1, { cbs: [mix(), new ThrowInLoss()] })).rejects.toThrow('memory');
    expect(learn.lossFunc).toBe(base);
    expect(tf.memory().numTensors).toBe(nTensors);
  });
});

describe('losses and metrics on fixed inputs (values from PyTorch via python3)', () => {
  const out = tf.tensor2d([
    [2.0, -1.0, 0.5],
    [0.1, 0.2, 3.0],
  ]);
  const t = tf.tensor1d([0, 1], 'int32');
  it('cross-entropy, label smoothing eps .1, BCE with logits', () => {
    expect(lossMean(CrossEntropyLossFlat(), out, t).dataSync()[0]).toBeCloseTo(
      1.5754563808441162,
      5,
    );
    expect(lossMean(LabelSmoothingCrossEntropy(), out, t).dataSync()[0]).toBeCloseTo(
      1.6054563522338867,
      5,
    );
    const y = tf.tensor2d([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    expect(lossMean(BCEWithLogitsLossFlat(), out, y).dataSync()[0]).toBeCloseTo(
      0.8842316269874573,
      5,
    );
  });
  it('accuracy, precision/recall/F1 macro, accuracy_multi', () => {
    // preds argmax: [0, 1, 1, 2, 2]; targets [0, 1, 2, 2, 0]
    const preds = Float32Array.from([9, 0, 0, 0, 9, 0, 0, 9, 0, 0, 0, 9, 0, 0, 9]);
    const o = { preds, targs: Int32Array.from([0, 1, 2, 2, 0]), n: 5, c: 3 };
    expect(accuracy.value(o)).toBeCloseTo(0.6, 9);
    expect(errorRate.value(o)).toBeCloseTo(0.4, 9);
    // per class precision [1, 1/2, 1/2], recall [1/2, 1, 1/2]: by hand
    expect(Precision().value(o)).toBeCloseTo(2 / 3, 9);
    expect(Recall().value(o)).toBeCloseTo(2 / 3, 9);
    expect(F1Score().value(o)).toBeCloseTo((2 / 3 + 2 / 3 + 1 / 2) / 3, 9);
    const m = {
      preds: Float32Array.from([2, -2, 0.1, -0.1]),
      targs: Float32Array.from([1, 0, 0, 0]),
      n: 2,
      c: 2,
    };
    expect(accuracyMulti().value(m)).toBeCloseTo(0.75, 9);
  });
  it('Beta(.4,.4) samples are in [0,1] with mean .5', () => {
    const r = seededRandom(5);
    const xs = Array.from({ length: 4000 }, () => sampleBeta(0.4, 0.4, r));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    expect(xs.reduce((a, b) => a + b) / xs.length).toBeCloseTo(0.5, 1);
    // Var of Beta(a,a) = 1/(4(2a+1)) = 0.1389
    const v = xs.reduce((s, x) => s + (x - 0.5) ** 2, 0) / xs.length;
    expect(v).toBeCloseTo(1 / (4 * 1.8), 1);
  });
});
