// fastai MixUp(0.4) (fastai/callback/mixup.py): each training batch is blended with a shuffled
// copy of itself, lam ~ Beta(alpha, alpha) per item, kept >= .5 so the original dominates; with
// integer targets the loss is the same blend of the two per-item losses.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../shared/random';
import { Callback } from './learner';
import type { LossFunc } from './losses';

/** Gamma(a, 1) by Marsaglia-Tsang (https://doi.org/10.1145/358407.358414), boosted for a < 1. */
export function sampleGamma(a: number, rand: () => number): number {
  if (a < 1) return sampleGamma(a + 1, rand) * rand() ** (1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      // Box-Muller normal.
      x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export const sampleBeta = (a: number, b: number, rand: () => number) => {
  const x = sampleGamma(a, rand);
  return x / (x + sampleGamma(b, rand));
};

export class MixUp extends Callback {
  runValid = false;
  lam?: tf.Tensor1D;
  private y1?: tf.Tensor;
  private oldLf?: LossFunc;
  private rand: () => number;
  constructor(
    public alpha = 0.4,
    seed = 0,
  ) {
    super();
    this.rand = seededRandom(seed);
  }
  before_train() {
    if (!this.learn.lossFunc.yInt) return;
    const old = (this.oldLf = this.learn.lossFunc);
    this.learn.lossFunc = {
      ...old,
      perItem: (pred, y) =>
        tf.tidy(
          () =>
            tf.add(
              old.perItem(pred, this.y1!),
              tf.mul(this.lam!, tf.sub(old.perItem(pred, y), old.perItem(pred, this.y1!))),
            ) as tf.Tensor1D,
        ),
    };
  }
  after_train() {
    if (this.oldLf) this.learn.lossFunc = this.oldLf;
    this.oldLf = undefined;
  }
  /** Runs after a cancel or a fault too (Learner.fault): a batch cut short never reached
   * after_batch, and the learner must not keep the mixed loss. */
  after_fit() {
    this.after_train();
    this.dropBatch();
  }
  private dropBatch() {
    tf.dispose([this.lam, this.y1]);
    this.lam = this.y1 = undefined;
  }
  before_batch() {
    this.dropBatch(); // a cancelled batch (CancelEpoch/CancelTrain mid-batch) left its tensors
    const { x, y } = this.learn;
    const n = x!.shape[0];
    const lam = Array.from({ length: n }, () => {
      const l = sampleBeta(this.alpha, this.alpha, this.rand);
      return Math.max(l, 1 - l);
    });
    const perm = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    this.lam = tf.tensor1d(lam);
    const idx = tf.tensor1d(perm, 'int32');
    try {
      this.y1 = tf.gather(y!, idx);
      const lerp = (a: tf.Tensor, b: tf.Tensor) =>
        tf.add(a, tf.mul(tf.reshape(this.lam!, [n, ...a.shape.slice(1).map(() => 1)]), tf.sub(b, a))); // prettier-ignore
      // torch.lerp(shuffled, original, lam): the original keeps weight lam >= .5.
      this.learn.x = tf.tidy(() => lerp(tf.gather(x!, idx), x!)) as tf.Tensor4D;
      if (!this.learn.lossFunc.yInt && !this.oldLf) {
        this.learn.y = tf.tidy(() => lerp(this.y1!, y!));
      }
    } finally {
      idx.dispose();
    }
  }
  after_batch() {
    this.dropBatch();
  }
}
