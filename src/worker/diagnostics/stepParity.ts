// Diagnostics: the Learner against the PyTorch referee, batch by batch (like the kernel check, it
// has no UI panel). scripts/torch/make_finetune_reference.py runs fastai's fine_tune recipe on a
// seeded ResNet-18 or resnet-tiny body (or the bundled Keras ResNet50) + create_head(ps=0) with
// the randomness taken out (fixed inputs in order, no augmentation, no dropout) and writes initial.safetensors, data.safetensors and
// final.safetensors (its metadata `trace`: every training loss, every per-group LR, the epoch
// table). Here the same start weights train on the same batches on the current backend, so the
// whole recipe (freeze with train_bn, param groups, Adam with decoupled wd and none on BN/bias,
// clear_state on unfreeze, schedules, BN running statistics) and every kernel under it are
// compared at once. tests/learn/finetune-parity.test.ts runs it on tfjs-cpu, e2e/learner.spec.ts
// on WebGPU with the Studio kernels.
import * as tf from '@tensorflow/tfjs';

import { visionModel } from '../../models/head';
import { kerasResnet50Body } from '../../models/kerasResnet50';
import { torchvisionBody } from '../../models/resnet';
import { readSafetensors } from '../../models/weights/safetensors';
import { exportStateDict, loadStateDict } from '../../models/weights/stateDict';
import type { StateDict } from '../../models/weights/tensors';
import { Recorder } from '../../learn/callbacks';
import { fineTune, learner } from '../../learn/fit';
import type { Batches } from '../../learn/batches';
import { Callback } from '../../learn/learner';
import { accuracy } from '../../learn/metrics';
import type { StepParityResult } from '../../shared/protocol';

export interface ReferenceTrace {
  /** The body: a seeded torchvision ResNet-18 or resnet-tiny, or the bundled Keras ResNet50. */
  arch: 'resnet18' | 'resnet-tiny' | 'keras-resnet50';
  losses: number[];
  lrs: number[][];
  epochs: { phase: string; valid_loss: number; accuracy: number }[];
  base_lr: number;
  epochs_unfrozen: number;
  bs: number;
}

/** Fixed batches, in order, every epoch (the referee's shuffle=False, no augmentation). */
export function fixedBatches(data: StateDict, bs: number): Batches {
  const split = (x: string, y: string) => {
    const xs = data.get(x)!;
    const ys = data.get(y)!;
    const [n, h, w, c] = xs.shape;
    const px = h * w * c;
    return Array.from({ length: Math.ceil(n / bs) }, (_, b) => {
      const m = Math.min(bs, n - b * bs);
      return {
        x: xs.data.subarray(b * bs * px, (b * bs + m) * px),
        y: Int32Array.from(ys.data.subarray(b * bs, b * bs + m)),
        shape: [m, h, w, c] as [number, number, number, number],
      };
    });
  };
  const train = split('x_train', 'y_train');
  const valid = split('x_valid', 'y_valid');
  async function* batches(list: typeof train) {
    for (const b of list) yield { x: tf.tensor4d(b.x, b.shape), y: tf.tensor1d(b.y, 'int32') };
  }
  return {
    nTrain: train.length,
    nValid: valid.length,
    train: () => batches(train),
    valid: () => batches(valid),
  };
}

/** Every training loss and every group's LR, across fits; the epoch rows at the end of each fit. */
class StepLog extends Callback {
  order = 60;
  losses: number[] = [];
  lrs: number[][] = [];
  rows: { validLoss: number; accuracy: number }[] = [];
  after_batch() {
    if (!this.learn.training) return;
    this.losses.push(this.learn.lossValue);
    this.lrs.push(this.learn.opt!.hypers.map((h) => h.lr));
  }
  after_fit() {
    for (const r of this.learn.cb(Recorder)!.values)
      this.rows.push({ validLoss: r.validLoss, accuracy: r.metrics.accuracy });
  }
}

/** Runs the reference recipe on the current backend and compares it with the referee's. */
export async function fineTuneParity(files: {
  initial: Uint8Array;
  data: Uint8Array;
  final: Uint8Array;
}): Promise<StepParityResult> {
  const t0 = performance.now();
  const final = readSafetensors(files.final);
  const trace = JSON.parse(final.metadata.trace) as ReferenceTrace;
  const body =
    trace.arch === 'keras-resnet50'
      ? kerasResnet50Body()
      : torchvisionBody(trace.arch ?? 'resnet18');
  const model = visionModel(body, 3, { ps: 0 });
  try {
    loadStateDict(model, readSafetensors(files.initial).tensors, 'torch', 'reference weights');
    const data = readSafetensors(files.data).tensors;
    const learn = learner(model, fixedBatches(data, trace.bs), { metrics: [accuracy] });
    const log = new StepLog();
    learn.addCbs([log]);
    await fineTune(learn, trace.epochs_unfrozen, { baseLr: trace.base_lr });
    learn.opt?.dispose();

    const ours = await exportStateDict(model);
    let worstTensor = { key: '', rel: 0 };
    for (const [k, ref] of final.tensors) {
      if (k.endsWith('num_batches_tracked')) continue;
      const mine = ours.get(k)!.data;
      let diff = 0;
      let scale = 1e-6;
      ref.data.forEach((v, i) => {
        diff = Math.max(diff, Math.abs(mine[i] - v));
        scale = Math.max(scale, Math.abs(v));
      });
      if (diff / scale > worstTensor.rel) worstTensor = { key: k, rel: diff / scale };
    }
    const lrDiffs = log.lrs.flatMap((lrs, i) =>
      lrs.map((lr, g) => Math.abs(lr - (trace.lrs[i]?.[g] ?? NaN))),
    );
    return {
      losses: log.losses.map((l, i) => [l, trace.losses[i]]),
      maxLrDiff: log.lrs.length === trace.lrs.length ? Math.max(...lrDiffs) : Infinity,
      epochs: log.rows.map((r, i) => ({
        validLoss: [r.validLoss, trace.epochs[i]?.valid_loss],
        accuracy: [r.accuracy, trace.epochs[i]?.accuracy],
      })),
      worstTensor,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}
