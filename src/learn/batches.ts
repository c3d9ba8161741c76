// What the Learner takes from the data: mini-batches and the passes over them. Any loader can be
// adapted to it (data/loaders, the demo data, precomputed body features, the parity's fixed batches).
import type * as tf from '@tensorflow/tfjs';
import type { LoaderItem } from '../data/loaders';

/** One mini-batch; the Learner owns (and disposes) these tensors once it has them. */
export interface Batch {
  /** Model-ready input, NHWC (already normalised as `model.input` says). */
  x: tf.Tensor4D;
  /** Class ids (int32 [n]) for single-label, multi-hot float32 [n, c] for multi-label. */
  y: tf.Tensor;
}

/** The least the Learner needs from DataLoaders; any loader can be adapted to it. Nothing here
 * fixes the image size, so progressive resizing is just a new Batches on the same Learner. */
export interface Batches {
  /** Batches per training epoch (fastai `len(dls.train)`), for pct_train. */
  nTrain: number;
  nValid: number;
  /** A fresh, shuffled, augmented pass over the training set; `augment: false` gives it
   * validation's transforms (centre item transform, no batch augmentation) for precompute. */
  train(epoch: number, opts?: { augment?: boolean }): AsyncIterable<Batch>;
  /** The validation set, in order; `augment` gives training-style augmentation (for TTA). */
  valid(opts?: { augment?: boolean }): AsyncIterable<Batch>;
  /** Class names in the model's output order (fastai `dls.vocab`). */
  vocab?: readonly string[];
  /** Multi-hot targets (fastai MultiCategoryBlock). */
  multiLabel?: boolean;
  /** Imported data: the items behind each split, in loader order (validation's is fixed). */
  items?: { train: readonly LoaderItem[]; valid: readonly LoaderItem[] };
}
