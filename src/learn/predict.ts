// Predictions of the Learner session's model on new images (the Interpret panel's Predict), with
// fastai's test-time augmentation (src/learn/tta.ts) when asked.
import * as tf from '@tensorflow/tfjs';
import { applyAugmentation, augPreset, drawAugmentation } from '../data/augment';
import { normalizeInput } from '../data/normalize';
import { seededRandom } from '../shared/random';
import { phaseBatches } from '../engine/cpuEngine/choose';
import type { LearnerPrediction, PredictLearnerArgs } from '../shared/protocol';
import { decodeBytes, itemPixels, session } from './interpretSession';
import type { LearnerHost, LearnSession } from './session';
import { meanPreds, membersOf, overMembers } from './ensemble';
import { ttaPreds } from './tta';

/** Top-k labels of one probability row (ties keep class order). */
export function topK(row: ArrayLike<number>, vocab: readonly string[], k: number) {
  return Array.from(row, (prob, i) => ({ label: vocab[i] ?? String(i), prob, i }))
    .sort((a, b) => b.prob - a.prob || a.i - b.i)
    .slice(0, k)
    .map(({ label, prob }) => ({ label, prob }));
}

/** One image's prediction from its probability row: top-k, and the argmax (single-label) or
 * every class at 0.5 or more (multi-label). */
function predictionOf(
  path: string,
  row: number[],
  vocab: readonly string[],
  k: number,
  multiLabel: boolean,
): LearnerPrediction {
  const top = topK(row, vocab, k);
  const predicted = multiLabel
    ? row.flatMap((p, j) => (p >= 0.5 ? [vocab[j] ?? String(j)] : []))
    : [top[0].label];
  const prob = multiLabel && predicted.length ? row[vocab.indexOf(predicted[0])] : top[0].prob;
  return { path, predicted, prob, top, probs: row };
}

export async function predictLearner(
  h: LearnerHost,
  a: PredictLearnerArgs,
): Promise<LearnerPrediction[]> {
  const s = session(h);
  if (a.ensemble) return predictEnsemble(h, s, a);
  const { learn, setup } = s;
  const size = setup.size;
  const vocab = learn.data.vocab ?? [];
  const multiLabel = !learn.lossFunc.yInt;
  const k = a.top ?? 3;
  const out: LearnerPrediction[] = a.images.map((im) => ({
    path: im.path,
    predicted: [],
    prob: 0,
    top: [],
    probs: [],
  }));
  const decoded = await Promise.all(a.images.map((im) => decodeBytes(im.bytes, setup)));
  const ok = decoded.flatMap((d, i) =>
    'error' in d ? ((out[i].error = d.error), []) : [{ d, i }],
  );
  const aug = a.tta ? augPreset(setup.aug) : undefined;
  const rand = seededRandom(setup.seed * 7919 + 5);
  let model = learn.model; // or its wasm copy while the phase runs there (engine/cpuEngine)
  const run = async (pixels: Float32Array, n: number, augment: boolean) => {
    const p = tf.tidy(() => {
      let x = tf.tensor4d(pixels, [n, size, size, 3]);
      if (augment && aug) x = applyAugmentation(x, drawAugmentation(n, size, rand, aug));
      return learn.lossFunc.activation(
        model.forward(normalizeInput(x, model.input, tf), { training: false }),
      );
    });
    const d = (await p.data()) as Float32Array;
    p.dispose();
    return d;
  };
  const spec = { phase: 'predict', model, shape: [Math.min(8, ok.length), size, size, 3] } as const;
  const chunks = async function* () {
    for (let b = 0; b < ok.length; b += 8) yield ok.slice(b, b + 8);
  };
  for await (const chunk of ok.length ? phaseBatches(spec, chunks, (m) => (model = m)) : []) {
    const stack = (train: boolean) => {
      const px = new Float32Array(chunk.length * size * size * 3);
      chunk.forEach(({ d }, r) => px.set(itemPixels(d, setup, train, rand), r * size * size * 3));
      return px;
    };
    const pass = (augment: boolean) => run(stack(augment), chunk.length, augment);
    const probs = a.tta ? await ttaPreds(pass) : await pass(false);
    const c = probs.length / chunk.length;
    chunk.forEach(({ i }, r) => {
      const row = Array.from(probs.subarray(r * c, (r + 1) * c));
      out[i] = predictionOf(out[i].path, row, vocab, k, multiLabel);
    });
  }
  return out;
}

/** The snapshot ensemble's prediction: each snapshot predicts (with TTA if asked), the
 * probabilities are averaged (src/learn/ensemble.ts). */
async function predictEnsemble(h: LearnerHost, s: LearnSession, a: PredictLearnerArgs) {
  const each = await overMembers(s.learn.model, membersOf(s), () =>
    predictLearner(h, { ...a, ensemble: false }),
  );
  const vocab = s.learn.data.vocab ?? [];
  return each[0].map((p, i) =>
    p.error
      ? p
      : predictionOf(
          p.path,
          Array.from(meanPreds(each.map((e) => e[i].probs))),
          vocab,
          a.top ?? 3,
          !s.learn.lossFunc.yInt,
        ),
  );
}
