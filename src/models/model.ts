// The contract every trainable model in the studio meets (tiny CNN, ResNets, heads), shared by
// the model builders, weight readers/writers and the Learner.
import type * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../data/normalize';
import type { Body } from './resnet';

export const IMAGENET_TORCH: InputSpec = {
  scale: 1,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  bgr: false,
};
export const IMAGENET_CAFFE: InputSpec = {
  scale: 255,
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  bgr: true,
};
export const UNIT: InputSpec = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], bgr: false };

export interface Model {
  arch: string;
  input: InputSpec;
  /** Learnable tensors by PyTorch state-dict key (`layer1.0.conv1.weight`, `fc.bias`, ...). */
  params: Map<string, tf.Variable>;
  /** Non-learnable state by key (`bn1.running_mean`, `bn1.running_var`). */
  buffers: Map<string, tf.Variable>;
  /** Layer groups (fastai splitter), earliest first: each a list of param keys. */
  groups: string[][];
  /** The first `frozenGroups` groups are frozen (their BN params stay trainable, fastai train_bn). */
  frozenGroups: number;
  /** Logits for NHWC input already normalised by `input`. BN uses batch stats and updates
   * running stats when training, running stats otherwise. */
  forward(x: tf.Tensor4D, opts: { training: boolean }): tf.Tensor2D;
  dispose(): void;
  /** ResNets: the feature extractor, for fastai's cut-and-new-head surgery (head.ts cutBody). */
  body?: Body;
  /** Models made by `withHead`: the classifier on the body's features (`forward` = head(body(x))),
   * so the Learner can train it alone on cached body features (learn/precompute.ts). */
  head?: { forward(features: tf.Tensor4D, training: boolean): tf.Tensor2D };
}

/** BatchNorm weight/bias keys: fastai keeps them trainable when a group is frozen, and gives them no weight decay. */
export const isBatchNormKey = (model: Model, key: string) =>
  model.buffers.has(key.replace(/\.(weight|bias)$/, '.running_mean'));

/** Keys of the params that receive gradients in the model's current freeze state. */
export function trainableKeys(model: Model): string[] {
  return model.groups.flatMap((keys, g) =>
    g < model.frozenGroups ? keys.filter((k) => isBatchNormKey(model, k)) : keys,
  );
}

/** fastai `freeze()`: train only the last group (plus all BN params). */
export const freeze = (model: Model) => void (model.frozenGroups = model.groups.length - 1);
export const unfreeze = (model: Model) => void (model.frozenGroups = 0);
export const freezeTo = (model: Model, n: number) =>
  void (model.frozenGroups = n < 0 ? model.groups.length + n : n);
