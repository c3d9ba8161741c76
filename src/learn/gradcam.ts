// Grad-CAM (Selvaraju et al. 2017), as fastai's lesson "what does the model look at":
// gradients of the class score w.r.t. the last conv block's activations (the body's output,
// before the head's pooling), averaged over space as channel weights; ReLU(sum_c w_c A_c);
// upsampled (bilinear) to the input size and scaled to [0, 1]. Runs on the current backend
// (the GPU in the worker; the CPU in unit tests).
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/model';
import { globalPool } from '../models/layers';
// The body/head split precompute uses (models expose `body` and `head`).
import { canPrecompute as hasBodyHead } from './precompute';

export interface GradCamMap {
  /** The class the map explains. */
  classIndex: number;
  /** Activated output (softmax, or sigmoid when `multiLabel`) for every class. */
  probs: number[];
  /** Heat in [0, 1] at the input resolution, row-major [height, width]. */
  heatmap: Float32Array;
  width: number;
  height: number;
  /** The raw (unscaled) map at the feature resolution, and its size. */
  raw: Float32Array;
  rawWidth: number;
  rawHeight: number;
}

/**
 * Grad-CAM of one image. `x` is a model-ready [1, h, w, 3] input (already normalised). Without
 * `classIndex` the predicted (most probable) class is explained. BN in eval mode.
 */
export async function gradCam(
  model: Model,
  x: tf.Tensor4D,
  o: { classIndex?: number; multiLabel?: boolean } = {},
): Promise<GradCamMap> {
  if (!hasBodyHead(model))
    throw new Error(
      `Grad-CAM needs a model split into body and head; '${model.arch}' has none (use tiny-bn-cnn or a ResNet)`,
    );
  const [, height, width] = x.shape;
  const feats = tf.tidy(() => model.body.forward(x, false));
  try {
    const logits = tf.tidy(() => model.head.forward(feats, false));
    const act = tf.tidy(() => (o.multiLabel ? tf.sigmoid(logits) : tf.softmax(logits)));
    const probs = Array.from((await act.data()) as Float32Array);
    tf.dispose([logits, act]);
    const classIndex = o.classIndex ?? probs.indexOf(Math.max(...probs));
    if (!(classIndex >= 0 && classIndex < probs.length))
      throw new Error(`class index ${classIndex} out of range (0..${probs.length - 1})`);
    const [cam, up] = tf.tidy(() => {
      const grads = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.slice(model.head.forward(a as tf.Tensor4D, false), [0, classIndex], [1, 1])),
      )(feats) as tf.Tensor4D;
      // Mean over H and W as a window pool: tfjs-webgpu's middle-axis reduce is seconds on SwiftShader.
      const weights = tf.reshape(globalPool(grads, 'avg'), [1, 1, 1, -1]); // [1, 1, 1, C]
      const cam = tf.relu(tf.sum(tf.mul(feats, weights), 3, true)) as tf.Tensor4D; // [1, h, w, 1]
      const up = tf.image.resizeBilinear(cam, [height, width], false, true);
      const scaled = tf.div(up, tf.maximum(tf.max(up), 1e-12));
      return [cam, scaled];
    });
    const [raw, heat] = await Promise.all([cam.data(), up.data()]);
    tf.dispose([cam, up]);
    return {
      classIndex,
      probs,
      heatmap: heat as Float32Array,
      width,
      height,
      raw: raw as Float32Array,
      rawWidth: feats.shape[2],
      rawHeight: feats.shape[1],
    };
  } finally {
    feats.dispose();
  }
}
