// The Interpret panel's worker side, on the Learner session's model (src/learn/session.ts):
//  - interpret: one eval-mode pass over the validation set -> fastai ClassificationInterpretation
//    (confusion matrix and its cells, top losses, most_confused, per-class report) through the
//    pure math of interpretation.ts;
//  - gradcam: Grad-CAM of one validation item, imported file or dropped image (gradcam.ts).
// Predictions on new images: predict.ts.
import * as tf from '@tensorflow/tfjs';
import { decodeToCache } from '../data/decode';
import { cachedImage } from '../data/importer';
import { itemTfmOf, sourceTarget } from '../data/sourceSize';
import { applyItemTfm, type RgbImage } from '../data/itemTransforms';
import { normalizeInput } from '../data/normalize';
import { phaseBatches } from '../engine/cpuEngine/choose';
import { gradCam } from './gradcam';
import {
  cellItems,
  classificationReport,
  confusionMatrix,
  mostConfused,
  multiLabelReport,
  topLosses,
  type Report,
} from '../shared/interpretation';
import type { Batch } from './batches';
import type { LearnerHost, LearnSession } from './session';
import type {
  GradCamArgs,
  GradCamResult,
  InterpretResult,
  LearnSetupArgs,
  RgbSample,
  TopLossItem,
} from '../shared/protocol';

export function session(h: LearnerHost) {
  const s = h.learner;
  if (!s) throw new Error('no training session yet: set up and train a model in the Train panel');
  return s;
}

const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
};

/** One eval-mode pass (no augmentation) of the session's model over `batches`, on the engine
 * chosen for the phase (engine/cpuEngine: wasm where the GPU is emulated): activated outputs,
 * per-item losses and targets, flat. Shared by interpret and the cleaner (learn/cleaner.ts). */
export async function evalPass(
  { learn, setup }: LearnSession,
  batches: () => AsyncIterable<Batch>,
) {
  const probs: number[] = [];
  const targs: number[] = [];
  const losses: number[] = [];
  let model = learn.model;
  const spec = { phase: 'interpret', model, shape: [setup.bs, setup.size, setup.size, 3] } as const;
  for await (const b of phaseBatches(spec, batches, (m) => (model = m))) {
    const [p, l] = tf.tidy(() => {
      const out = model.forward(b.x, { training: false });
      return [learn.lossFunc.activation(out), learn.lossFunc.perItem(out, b.y)];
    });
    try {
      const [pd, ld, yd] = await Promise.all([p.data(), l.data(), b.y.data()]);
      probs.push(...pd);
      losses.push(...ld);
      targs.push(...yd);
    } finally {
      tf.dispose([p, l, b.x, b.y]);
    }
  }
  return { probs, losses, targs };
}

export async function interpret(
  h: LearnerHost,
  args: { k?: number; thresh?: number } = {},
): Promise<InterpretResult> {
  const s = session(h);
  const { learn } = s;
  const vocab = [...(learn.data.vocab ?? [])];
  const multiLabel = !learn.lossFunc.yInt;
  const thresh = args.thresh ?? 0.5;
  const { probs, losses, targs } = await evalPass(s, () => learn.data.valid());
  const n = losses.length;
  const c = n ? probs.length / n : vocab.length;
  if (vocab.length !== c)
    vocab.splice(0, vocab.length, ...Array.from({ length: c }, (_, i) => String(i)));
  // The Learner's own loaders' items: what the model saw, even if the folder was imported again.
  const items = learn.data.items?.valid;
  const imported = !!items;
  const paths = items
    ? items.map((it) => it.path)
    : Array.from({ length: n }, (_, i) => `demo/valid/${i}`);
  const row = (i: number) => probs.slice(i * c, (i + 1) * c);
  const labelsOver = (i: number, t: number, src: number[]) =>
    vocab.filter((_, j) => src[i * c + j] >= t);
  let actual: number[] = [];
  let predicted: number[] = [];
  let matrix: number[][] = [];
  let cells: number[][][] = [];
  let report: Report;
  if (!multiLabel) {
    actual = targs;
    predicted = Array.from({ length: n }, (_, i) => argmax(row(i)));
    matrix = confusionMatrix(actual, predicted, c);
    cells = matrix.map((r, a) => r.map((_, p) => cellItems(actual, predicted, a, p)));
    report = classificationReport(matrix, vocab);
  } else report = multiLabelReport(probs, targs, vocab, thresh);
  const top = topLosses(losses, Math.min(args.k ?? 16, n)).map(({ index, loss }): TopLossItem => {
    const r = row(index);
    if (!multiLabel)
      return {
        index,
        path: paths[index],
        actual: [vocab[actual[index]]],
        predicted: [vocab[predicted[index]]],
        loss,
        prob: r[predicted[index]],
        probActual: r[actual[index]],
      };
    return {
      index,
      path: paths[index],
      actual: labelsOver(index, 0.5, targs),
      predicted: labelsOver(index, thresh, probs),
      loss,
      prob: Math.max(...r),
    };
  });
  return {
    vocab,
    multiLabel,
    n,
    paths,
    imported,
    actual,
    predicted,
    probs,
    targets: multiLabel ? targs : [],
    losses,
    matrix,
    cells,
    topLosses: top,
    mostConfused: multiLabel ? [] : mostConfused(matrix, vocab),
    report,
    thresh,
  };
}

/** [0,1] pixels of one image through the session's item transform (valid mode: no randomness). */
export function itemPixels(
  img: RgbImage,
  setup: Required<LearnSetupArgs>,
  train = false,
  rand = () => 0.5,
): Float32Array {
  const out = new Float32Array(setup.size * setup.size * 3);
  applyItemTfm(img, itemTfmOf(setup), train, rand, out, 0);
  return out;
}

const toSample = (
  path: string,
  pixels: Float32Array,
  size: number,
  labels: string[] = [],
): RgbSample => ({
  path,
  labels,
  width: size,
  height: size,
  rgb: Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))),
});

/** Decode dropped bytes at the size the session's item transform reads, or explain why not. */
export async function decodeBytes(
  bytes: ArrayBuffer | Uint8Array,
  setup: Required<LearnSetupArgs>,
) {
  const t = sourceTarget(setup);
  return decodeToCache(new Blob([bytes as BlobPart]), t.side, t.of);
}

/** The [0,1] pixels (session size) of a Grad-CAM target. */
async function camInput(
  h: LearnerHost,
  a: GradCamArgs,
): Promise<{ path: string; pixels: Float32Array }> {
  const { learn, setup } = session(h);
  if (a.bytes) {
    const d = await decodeBytes(a.bytes, setup);
    if ('error' in d) throw new Error(d.error);
    return { path: a.path ?? 'image', pixels: itemPixels(d, setup) };
  }
  if (learn.data.items) {
    const { valid, train } = learn.data.items;
    const item =
      a.index !== undefined
        ? valid[a.index]
        : [...valid, ...train].find((it) => it.path === a.path);
    if (item) return { path: item.path, pixels: itemPixels(item.image, setup) };
    const cached = a.path !== undefined ? cachedImage(h.data, a.path) : undefined;
    if (cached) return { path: cached.path, pixels: itemPixels(cached, setup) };
    throw new Error(`no such image: ${a.path ?? `validation item ${a.index}`}`);
  }
  // The demo set: walk the validation batches to the item (they are small and in order).
  const index = a.index ?? Number(/(\d+)$/.exec(a.path ?? '')?.[1] ?? NaN);
  if (!Number.isInteger(index)) throw new Error('give a validation index for the demo set');
  let seen = 0;
  let found: Float32Array | undefined;
  for await (const b of learn.data.valid()) {
    const bs = b.x.shape[0];
    if (!found && index < seen + bs) {
      const row = tf.tidy(() => tf.slice(b.x, [index - seen, 0, 0, 0], [1, -1, -1, -1]));
      found = (await row.data()) as Float32Array;
      row.dispose();
    }
    seen += bs;
    tf.dispose([b.x, b.y]);
  }
  if (!found) throw new Error(`validation index ${index} out of range (0..${seen - 1})`);
  // The demo's input spec is the identity (UNIT), so the batch is already [0,1] pixels.
  return { path: `demo/valid/${index}`, pixels: found };
}

export async function gradcamCmd(h: LearnerHost, a: GradCamArgs): Promise<GradCamResult> {
  const { learn, setup } = session(h);
  const size = setup.size;
  const { path, pixels } = await camInput(h, a);
  const model = learn.model;
  const x = tf.tidy(() => normalizeInput(tf.tensor4d(pixels, [1, size, size, 3]), model.input, tf));
  try {
    const cam = await gradCam(model, x, {
      classIndex: a.classIndex,
      multiLabel: !learn.lossFunc.yInt,
    });
    const vocab = learn.data.vocab ?? [];
    return {
      path,
      classIndex: cam.classIndex,
      label: vocab[cam.classIndex] ?? String(cam.classIndex),
      prob: cam.probs[cam.classIndex],
      probs: cam.probs,
      heatmap: cam.heatmap,
      width: cam.width,
      height: cam.height,
      rawWidth: cam.rawWidth,
      rawHeight: cam.rawHeight,
      image: toSample(path, pixels, size),
    };
  } finally {
    x.dispose();
  }
}
