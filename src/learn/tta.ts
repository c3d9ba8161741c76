// Predictions over the validation set, and fastai's test-time augmentation
// (Learner.tta(n=4, beta=0.25)): the mean of n augmented passes blended with the plain pass,
// torch.lerp(aug_preds, preds, beta).
import * as tf from '@tensorflow/tfjs';
import type { Learner } from './learner';
import type { Outputs } from './metrics';
import { ttaBlend } from '../shared/ttaBlend';

export { ttaBlend };

/** The learner's metrics on activated predictions `preds` (targets from `o`). The metrics take
 * logits: accuracy_multi applies its sigmoid, so it gets the logit of a probability back
 * (softmax metrics only compare a row's values: probabilities do). */
export function metricsOf(learn: Learner, o: Outputs, preds: Float32Array) {
  const logits = learn.lossFunc.yInt ? preds : preds.map((v) => Math.log(v / (1 - v)));
  return Object.fromEntries(learn.metrics.map((m) => [m.name, m.value({ ...o, preds: logits })]));
}

/** Activated predictions (softmax/sigmoid) and targets over the validation set, BN in eval mode. */
export async function getPreds(learn: Learner, o: { augment?: boolean } = {}): Promise<Outputs> {
  const preds: Float32Array[] = [];
  const targs: (Float32Array | Int32Array)[] = [];
  let n = 0;
  for await (const b of learn.data.valid(o)) {
    const p = tf.tidy(() =>
      learn.lossFunc.activation(learn.model.forward(b.x, { training: false })),
    );
    preds.push((await p.data()) as Float32Array);
    targs.push((await b.y.data()) as Float32Array | Int32Array);
    n += b.y.shape[0];
    tf.dispose([p, b.x, b.y]);
  }
  const cat = <T extends Float32Array | Int32Array>(parts: T[], out: T) => (
    parts.reduce((o, p) => (out.set(p, o), o + p.length), 0),
    out
  );
  const len = (parts: ArrayLike<number>[]) => parts.reduce((s, p) => s + p.length, 0);
  const p = cat(preds, new Float32Array(len(preds)));
  const t =
    targs[0] instanceof Int32Array
      ? cat(targs as Int32Array[], new Int32Array(len(targs)))
      : cat(targs as Float32Array[], new Float32Array(len(targs)));
  return { preds: p, targs: t, n, c: p.length / n };
}

export interface TtaOptions {
  n?: number;
  beta?: number;
  useMax?: boolean;
}

/** fastai's TTA over any predictor: `n` augmented passes blended with the plain one. */
export async function ttaPreds(
  pass: (augment: boolean) => Promise<Float32Array>,
  { n = 4, beta = 0.25, useMax = false }: TtaOptions = {},
): Promise<Float32Array> {
  const aug: Float32Array[] = [];
  for (let i = 0; i < n; i++) aug.push(await pass(true));
  return ttaBlend(aug, await pass(false), beta, useMax);
}

/** fastai Learner.tta over the validation set; `plain`: the un-augmented pass's predictions. */
export async function tta(
  learn: Learner,
  o: TtaOptions = {},
): Promise<Outputs & { plain: Float32Array }> {
  let plain: Outputs | undefined;
  const preds = await ttaPreds(
    async (augment) =>
      (augment ? await getPreds(learn, { augment }) : (plain = await getPreds(learn))).preds,
    o,
  );
  return { ...plain!, preds, plain: plain!.preds };
}
