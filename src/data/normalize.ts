// fastai's Normalize: a batch transform that applies the statistics a model was trained with.
// The model carries its InputSpec (models/model.ts); the data side applies it.
import type * as tf from '@tensorflow/tfjs';

/** How the model wants its input: pixels arrive as RGB in [0, 1], NHWC. */
export interface InputSpec {
  /** Multiply [0,1] pixels by this first (255 for caffe-style Keras weights, 1 for torchvision). */
  scale: number;
  /** Per-channel mean and std, in the model's channel order, applied after scaling. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Reverse RGB to BGR before normalising (Keras ResNet50 "caffe" preprocessing). */
  bgr: boolean;
}

/** Normalise [0,1] RGB pixels the way the model was trained. */
export function normalizeInput(x: tf.Tensor4D, spec: InputSpec, tfm: typeof tf): tf.Tensor4D {
  return tfm.tidy(() => {
    let y: tf.Tensor4D = spec.scale === 1 ? x : tfm.mul(x, spec.scale);
    if (spec.bgr) y = tfm.reverse(y, 3);
    return tfm.div(tfm.sub(y, tfm.tensor1d(spec.mean)), tfm.tensor1d(spec.std)) as tf.Tensor4D;
  });
}
