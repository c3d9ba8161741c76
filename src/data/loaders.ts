// fastai's DataLoaders for the Learner: items in the worker's image cache -> item transforms on
// the CPU -> one upload per batch -> batch augmentation on the GPU (train only).
// Usage:  const dls = dataLoaders(...); for await (const { x, y } of dls.train.batches(bs, epoch)) { ...; tf.dispose([x, y]) }
// x: Tensor4D [bs, size, size, 3], RGB in [0, 1] (normalise with the model's InputSpec);
// y: int32 class indices [bs], or float32 multi-hot [bs, nClasses] when multiLabel.
import type { AugPreset, ItemTfm } from '../shared/protocol';
import * as tf from '@tensorflow/tfjs';
import { normalizeInput, type InputSpec } from './normalize';
import { applyAugmentation, augPreset, drawAugmentation } from './augment';
import type { Split } from '../shared/items';
import { applyItemTfm, type RgbImage } from './itemTransforms';
import { seededRandom } from '../shared/random';
import { seededPermutation } from '../shared/split';

export interface LoaderItem {
  image: RgbImage;
  labels: string[];
  path: string;
}

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor;
  /** Paths of the images in this batch (for interpretation: top losses). */
  paths: string[];
}

export interface DataLoader {
  split: Split;
  items: LoaderItem[];
  /** Number of batches per epoch at `bs` (train drops the last partial batch, like fastai). */
  nBatches(bs: number): number;
  /** Batches for one epoch; train is shuffled and augmented with a per-epoch seed. `augment` on
   * valid gives training-style transforms in the original order (TTA); each call draws anew.
   * `augment: false` on train gives validation's transforms (fastai v0.7's `fix_dl`, what
   * precompute caches). */
  batches(bs: number, epoch?: number, opts?: { augment?: boolean }): AsyncGenerator<Batch>;
}

export interface DataLoadersOptions {
  vocab: string[];
  multiLabel: boolean;
  itemTfm: ItemTfm;
  aug: AugPreset;
  seed: number;
}

export interface DataLoaders {
  vocab: string[];
  multiLabel: boolean;
  size: number;
  train: DataLoader;
  valid: DataLoader;
  test?: DataLoader;
}

/** The y tensor for a batch: class index (single-label) or multi-hot (multi-label). */
export function encodeTargets(
  items: LoaderItem[],
  vocab: string[],
  multiLabel: boolean,
): tf.Tensor {
  const index = new Map(vocab.map((v, i) => [v, i]));
  if (!multiLabel)
    return tf.tensor1d(
      items.map((it) => index.get(it.labels[0]) ?? -1),
      'int32',
    );
  const y = new Float32Array(items.length * vocab.length);
  items.forEach((it, i) => it.labels.forEach((l) => (y[i * vocab.length + index.get(l)!] = 1)));
  return tf.tensor2d(y, [items.length, vocab.length]);
}

function loader(split: Split, items: LoaderItem[], o: DataLoadersOptions): DataLoader {
  const train = split === 'train';
  const size = o.itemTfm.size;
  let ttaCalls = 0;
  const nBatches = (bs: number) =>
    train ? Math.floor(items.length / bs) : Math.ceil(items.length / bs);
  return {
    split,
    items,
    nBatches,
    async *batches(bs, epoch = 0, opts) {
      const augment = opts?.augment ?? train;
      const aug = augment ? augPreset(o.aug) : undefined;
      if (!train && augment) epoch = ++ttaCalls;
      const seed = o.seed * 1000003 + epoch * 7919 + (train ? 1 : 2);
      const order = train ? seededPermutation(items.length, seed) : items.map((_, i) => i);
      const rand = seededRandom(seed + 1);
      const n = nBatches(bs);
      for (let b = 0; b < n; b++) {
        const batch = order.slice(b * bs, (b + 1) * bs).map((i) => items[i]);
        const pixels = new Float32Array(batch.length * size * size * 3);
        batch.forEach((it, i) =>
          applyItemTfm(it.image, o.itemTfm, augment, rand, pixels, i * size * size * 3),
        );
        const raw = tf.tensor4d(pixels, [batch.length, size, size, 3]);
        let x = raw;
        let y: tf.Tensor;
        try {
          if (aug) x = applyAugmentation(raw, drawAugmentation(batch.length, size, rand, aug));
          y = encodeTargets(batch, o.vocab, o.multiLabel);
        } catch (e) {
          tf.dispose([raw, x]); // out of memory mid-batch: nothing of it stays behind
          throw e;
        } finally {
          if (x !== raw) raw.dispose();
        }
        yield { x, y, paths: batch.map((it) => it.path) };
        // Let a `stop` command or other messages in between batches.
        await new Promise((r) => setTimeout(r, 0));
      }
    },
  };
}

export function makeDataLoaders(
  bySplit: Record<Split, LoaderItem[]>,
  o: DataLoadersOptions,
): DataLoaders {
  return {
    vocab: o.vocab,
    multiLabel: o.multiLabel,
    size: o.itemTfm.size,
    train: loader('train', bySplit.train, o),
    valid: loader('valid', bySplit.valid, o),
    test: bySplit.test.length ? loader('test', bySplit.test, o) : undefined,
  };
}

/**
 * The Learner's view (src/learn/learner.ts `Batches`): batches normalised with the model's own
 * statistics (InputSpec), train shuffled and augmented per epoch, valid in order.
 */
export function learnerBatches(dls: DataLoaders, bs: number, input: InputSpec) {
  async function* normalized(it: AsyncGenerator<Batch>) {
    for await (const b of it) {
      let x: tf.Tensor4D;
      try {
        x = normalizeInput(b.x, input, tf);
      } catch (e) {
        b.y.dispose();
        throw e;
      } finally {
        b.x.dispose();
      }
      yield { x, y: b.y };
    }
  }
  return {
    vocab: dls.vocab,
    multiLabel: dls.multiLabel,
    items: { train: dls.train.items, valid: dls.valid.items },
    nTrain: dls.train.nBatches(bs),
    nValid: dls.valid.nBatches(bs),
    train: (epoch: number, opts?: { augment?: boolean }) =>
      normalized(dls.train.batches(bs, epoch, opts)),
    valid: (opts?: { augment?: boolean }) => normalized(dls.valid.batches(bs, 0, opts)),
  };
}
