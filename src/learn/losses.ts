// Loss functions as fastai has them (fastai/losses.py): each gives per-item losses (what MixUp
// interpolates) and the mean, plus the activation that turns logits into predictions.
import * as tf from '@tensorflow/tfjs';

export interface LossFunc {
  name: string;
  /** Targets are class indices (int32 [n]) rather than float targets (fastai `y_int`). */
  yInt: boolean;
  /** Per-item loss, shape [n] (fastai reduction='none'). */
  perItem(pred: tf.Tensor2D, y: tf.Tensor): tf.Tensor1D;
  /** Logits -> predictions (softmax or sigmoid), as fastai's `loss_func.activation`. */
  activation(pred: tf.Tensor2D): tf.Tensor2D;
}

/** Mean reduction (fastai reduction='mean'). */
export const lossMean = (f: LossFunc, pred: tf.Tensor2D, y: tf.Tensor) =>
  tf.tidy(() => tf.mean(f.perItem(pred, y)) as tf.Scalar);

const nll = (logp: tf.Tensor2D, y: tf.Tensor) =>
  tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(y, 'int32'), logp.shape[1])), 1)) as tf.Tensor1D;

/** CrossEntropyLossFlat: softmax cross-entropy on integer targets. */
export const CrossEntropyLossFlat = (): LossFunc => ({
  name: 'CrossEntropyLossFlat',
  yInt: true,
  perItem: (pred, y) => tf.tidy(() => nll(tf.logSoftmax(pred), y)),
  activation: (pred) => tf.softmax(pred),
});

/** LabelSmoothingCrossEntropy(eps=0.1): eps/c * sum(-log p) + (1-eps) * nll. */
export const LabelSmoothingCrossEntropy = (eps = 0.1): LossFunc => ({
  name: 'LabelSmoothingCrossEntropy',
  yInt: true,
  perItem: (pred, y) =>
    tf.tidy(() => {
      const c = pred.shape[1];
      const logp = tf.logSoftmax(pred);
      return tf.add(
        tf.mul(tf.neg(tf.sum(logp, 1)), eps / c),
        tf.mul(nll(logp, y), 1 - eps),
      ) as tf.Tensor1D;
    }),
  activation: (pred) => tf.softmax(pred),
});

/** BCEWithLogitsLossFlat for multi-label: y is multi-hot float [n, c]; the mean runs over all
 * n*c elements (per item = mean over classes, so the mean of items is the same thing). */
export const BCEWithLogitsLossFlat = (): LossFunc => ({
  name: 'BCEWithLogitsLossFlat',
  yInt: false,
  // NOTE: max(x,0) - x*y + log(1 + exp(-|x|)) is the overflow-free form PyTorch uses.
  perItem: (pred, y) =>
    tf.tidy(
      () =>
        tf.mean(
          tf.add(tf.sub(tf.relu(pred), tf.mul(pred, y)), tf.log1p(tf.exp(tf.neg(tf.abs(pred))))),
          1,
        ) as tf.Tensor1D,
    ),
  activation: (pred) => tf.sigmoid(pred),
});
