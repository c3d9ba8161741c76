// The demo dataset as Learner `Batches`: a fixed training set of procedurally drawn shapes,
// reshuffled every epoch, and a fixed validation set. Also what the unit tests train on.
import * as tf from '@tensorflow/tfjs';
import { DEMO_CLASSES, makeShapes, type ShapeBatch } from '../shared/demoShapes';
import { seededRandom } from '../shared/random';
import type { Batch, Batches } from './batches';

export interface DemoDataArgs {
  size: number;
  bs: number;
  /** Batches per epoch. */
  nTrain: number;
  nValid: number;
  seed: number;
}

function* batchesOf(
  set: ShapeBatch,
  order: number[],
  bs: number,
  augment: () => boolean,
): Generator<Batch> {
  const px = set.size * set.size * 3;
  for (let i = 0; i + bs <= order.length; i += bs) {
    const idx = order.slice(i, i + bs);
    const pixels = new Float32Array(bs * px);
    idx.forEach((j, k) => pixels.set(set.pixels.subarray(j * px, (j + 1) * px), k * px));
    // Lazily made, so a cancelled run leaves no tensors behind.
    const flip = augment();
    const x = tf.tidy(() => {
      const t = tf.tensor4d(pixels, [bs, set.size, set.size, 3]);
      return flip ? tf.reverse(t, 2) : t;
    });
    yield {
      x,
      y: tf.tensor1d(
        Int32Array.from(idx, (j) => set.labels[j]),
        'int32',
      ),
    };
  }
}

export function demoBatches(a: DemoDataArgs): Batches & { vocab: readonly string[] } {
  const train = makeShapes(a.bs * a.nTrain, a.size, a.seed * 7919 + 1);
  const valid = makeShapes(a.bs * a.nValid, a.size, a.seed * 7919 + 2);
  const shuffle = seededRandom(a.seed);
  return {
    vocab: DEMO_CLASSES,
    nTrain: a.nTrain,
    nValid: a.nValid,
    async *train(epoch, opts) {
      // A per-epoch seed (as the imported loaders): an epoch replayed after a fault
      // (src/reliability/recovery.ts) sees the same order and flips.
      const shuffle = seededRandom(a.seed * 1000003 + epoch * 7919 + 1);
      const order = [...Array(train.n).keys()];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(shuffle() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      // Flip left-right half the time: stripes and dots keep their class.
      yield* batchesOf(train, order, a.bs, () => opts?.augment !== false && shuffle() < 0.5);
    },
    async *valid(opts) {
      yield* batchesOf(
        valid,
        [...Array(valid.n).keys()],
        a.bs,
        () => !!opts?.augment && shuffle() < 0.5,
      );
    },
  };
}
