// Precomputed activations (fastai v0.7's `precompute=True`): with the body frozen, run it once
// over the data in eval mode, cache its output, and train only the head on the cache. Epochs
// then cost a head's forward/backward instead of the whole network's.
// Needs a model split into body and head: `Model.body` and `Model.head` (models/resnet.ts withHead);
// the last param group is taken to be the head's params.
import * as tf from '@tensorflow/tfjs';
import { runPhase } from '../engine/cpuEngine/choose';
import { concatCpu, fromCpu, moveHere, toCpu, type CpuTensor } from '../engine/cpuEngine/transfer';
import type { Model } from '../models/model';
import type { Batch, Batches } from './batches';
import type { Learner } from './learner';

/** What precompute needs from a model: a body and a head that compose to `forward`. */
export interface BodyHead {
  body: { forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D };
  head: { forward(features: tf.Tensor4D, training: boolean): tf.Tensor2D };
}
export const canPrecompute = (m: Model): m is Model & BodyHead =>
  !!m.body && !!(m as Partial<BodyHead>).head;

/** The body's features of every batch, on the engine chosen for the phase (engine/cpuEngine),
 * then as tensors of the main backend. */
async function cache(model: BodyHead & Model, batches: AsyncIterable<Batch>) {
  const it = batches[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw new Error('precompute: the data has no batches');
  const spec = { phase: 'precompute', model, shape: first.value.x.shape, body: true } as const;
  try {
    const { feats, ys } = await runPhase(spec, async (m) => {
      const feats: CpuTensor[] = [];
      const ys: CpuTensor[] = [];
      for (let b: IteratorResult<Batch> = first; !b.done; b = await it.next()) {
        const own: tf.Tensor[] = [b.value.x, b.value.y];
        try {
          // The first batch was made before the phase began, on the main backend.
          const x = m !== model && b === first ? await moveHere(b.value.x) : b.value.x;
          own.push(x);
          const f = tf.tidy(() => m.body!.forward(x, false));
          own.push(f);
          feats.push(await toCpu(f)); // one batch in flight at a time
          ys.push(await toCpu(b.value.y));
        } finally {
          tf.dispose(own);
        }
      }
      return { feats, ys };
    });
    return { x: fromCpu(concatCpu(feats)) as tf.Tensor4D, y: fromCpu(concatCpu(ys)) };
  } finally {
    tf.dispose([first.value.x, first.value.y]); // no-op unless the phase failed before it
    await it.return?.();
  }
}

/** Features kept between commands (lr_find, then fine_tune's frozen epoch), so the body runs once
 * for both: reused while the stamp holds (same model and data, no training step since). */
export class FeatureCache {
  private kept?: { stamp: readonly unknown[]; pre: Precomputed };
  constructor(private stampOf: (learn: Learner) => readonly unknown[]) {}
  async get(learn: Learner, make: () => Promise<Precomputed>): Promise<Precomputed> {
    const stamp = this.stampOf(learn);
    const k = this.kept;
    if (k && k.stamp.length === stamp.length && k.stamp.every((v, i) => v === stamp[i]))
      return k.pre;
    this.clear();
    const pre = await make();
    this.kept = { stamp, pre };
    return pre;
  }
  get held() {
    return !!this.kept;
  }
  clear() {
    this.kept?.pre.dispose();
    this.kept = undefined;
  }
}

export interface Precomputed {
  /** The head alone, as a Model sharing the real model's head variables. */
  model: Model;
  /** Batches of cached body features. */
  data: Batches;
  dispose(): void;
}

/** Cache body features of the (un-augmented) training and validation sets; batch size `bs`. */
export async function precompute(
  model: Model & BodyHead,
  data: Batches,
  bs: number,
  seed = 0,
): Promise<Precomputed> {
  // fastai v0.7 caches the training set through validation's transforms: a cached feature is
  // reused every epoch, so one random crop or flip would be baked in, not augmentation.
  const train = await cache(model, data.train(0, { augment: false }));
  const valid = await cache(model, data.valid());
  const headKeys = model.groups[model.groups.length - 1];
  const isHead = (k: string) =>
    headKeys.some((h) => k.startsWith(h.replace(/\.(weight|bias)$/, '.')));
  const head: Model = {
    ...model,
    arch: `${model.arch}-head`,
    params: new Map(headKeys.map((k) => [k, model.params.get(k)!])),
    buffers: new Map([...model.buffers].filter(([k]) => isHead(k))),
    groups: [headKeys],
    frozenGroups: 0,
    // The head's forward makes intermediates (pooling, BN) that withHead's forward tidies.
    forward: (f, { training }) => tf.tidy(() => model.head.forward(f, training)),
    dispose: () => {}, // the variables belong to the full model
  };
  const nTrain = Math.floor(train.x.shape[0] / bs);
  const slices = (set: typeof train, order: number[]) =>
    (async function* () {
      for (let i = 0; i + bs <= order.length || (i < order.length && set === valid); i += bs) {
        // The index tensor dies here: a consumer may abandon the generator at its yield (lr_find).
        const [x, y] = tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(i, i + bs), 'int32');
          return [tf.gather(set.x, idx), tf.gather(set.y, idx)];
        });
        yield { x, y };
      }
    })();
  let rng = seed >>> 0;
  const rand = () => (rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0) / 4294967296;
  return {
    model: head,
    data: {
      nTrain,
      nValid: Math.ceil(valid.x.shape[0] / bs),
      train: () => {
        const order = [...Array(train.x.shape[0]).keys()];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        return slices(train, order);
      },
      valid: () => slices(valid, [...Array(valid.x.shape[0]).keys()]),
    },
    dispose: () => tf.dispose([train.x, train.y, valid.x, valid.y]),
  };
}
