// The Interpret panel's worker side, on the Learner session's model (src/learn/session.ts):
//  - interpret: one eval-mode pass over the validation set -> fastai ClassificationInterpretation
//    (confusion matrix and its cells, top losses, most_confused, per-class report) through the
//    pure math of interpretation.ts;
//  - gradcam: Grad-CAM of one validation item, imported file or dropped image (gradcam.ts);
//  - predictLearner: predictions on new images, optionally with fastai's TTA.
import * as tf from '@tensorflow/tfjs';
import { applyAugmentation, augPreset, drawAugmentation } from '../data/augment';
import { decodeToCache } from '../data/decode';
import { cachedImage, dataLoaders, DEFAULT_CACHE_SIZE, type RgbSample } from '../data/importer';
import { applyItemTfm, type ItemTfm, type RgbImage } from '../data/itemTransforms';
import type { LoaderItem } from '../data/loaders';
import { seededRandom } from '../shared/random';
import { normalizeInput } from '../models/model';
import { phaseBatches } from '../engine/cpuEngine/choose';
import { gradCam } from './gradcam';
import {
  cellItems,
  classificationReport,
  confusionMatrix,
  mostConfused,
  multiLabelReport,
  topLosses,
  type Confusion,
  type Report,
} from '../shared/interpretation';
import { learnSession } from './session';
import { ttaBlend } from './tta';

export interface TopLossItem {
  index: number;
  path: string;
  actual: string[];
  predicted: string[];
  loss: number;
  /** Probability of the (first) predicted class, as fastai's plot_top_losses shows. */
  prob: number;
  /** Probability the model gave the actual class (single-label). */
  probActual?: number;
}

export interface InterpretResult {
  vocab: string[];
  multiLabel: boolean;
  /** Validation items, in the validation loader's order. */
  n: number;
  /** Item paths (imported data), or `demo/valid/<i>` for the procedural demo set. */
  paths: string[];
  /** Whether `paths` are files of the import (thumbnails through `dataImage`). */
  imported: boolean;
  /** Single-label: class ids; multi-label: empty. */
  actual: number[];
  predicted: number[];
  /** Activated outputs (softmax / sigmoid), row-major [n, c]. */
  probs: number[];
  /** Multi-label: multi-hot targets [n, c]; single-label: empty. */
  targets: number[];
  /** Per-item loss (the session's loss function, reduction none). */
  losses: number[];
  /** matrix[actual][predicted] counts (single-label; empty for multi-label). */
  matrix: number[][];
  /** cells[a][p]: item indices of that cell. */
  cells: number[][][];
  topLosses: TopLossItem[];
  mostConfused: Confusion[];
  /** Single-label: classification report; multi-label: at `thresh`. */
  report: Report;
  thresh: number;
}

function session() {
  const s = learnSession();
  if (!s) throw new Error('no training session yet: set up and train a model in the Train panel');
  return s;
}

/** The Learner's item transform for the session (session.ts makeData: resize, squish). */
const itemTfmOf = (size: number): ItemTfm => ({ kind: 'resize', size, method: 'squish' });

/** The imported validation items as the session's loaders see them (no pixels processed). */
function importedItems(): { valid: LoaderItem[]; train: LoaderItem[] } {
  const { setup } = session();
  const dls = dataLoaders({ itemTfm: itemTfmOf(setup.size), aug: setup.aug, seed: setup.seed });
  return { valid: dls.valid.items, train: dls.train.items };
}

const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
};

export async function interpret(
  args: { k?: number; thresh?: number } = {},
): Promise<InterpretResult> {
  const { learn, setup } = session();
  const vocab = [...((learn.data as { vocab?: readonly string[] }).vocab ?? [])];
  const multiLabel = !learn.lossFunc.yInt;
  const thresh = args.thresh ?? 0.5;
  const probs: number[] = [];
  const targs: number[] = [];
  const losses: number[] = [];
  // On the engine chosen for the phase (engine/cpuEngine: wasm where the GPU is emulated).
  let model = learn.model;
  const spec = { phase: 'interpret', model, shape: [setup.bs, setup.size, setup.size, 3] } as const;
  const valid = phaseBatches(
    spec,
    () => learn.data.valid(),
    (m) => (model = m),
  );
  for await (const b of valid) {
    const [p, l] = tf.tidy(() => {
      const out = model.forward(b.x, { training: false });
      return [learn.lossFunc.activation(out), learn.lossFunc.perItem(out, b.y)];
    });
    const [pd, ld, yd] = await Promise.all([p.data(), l.data(), b.y.data()]);
    probs.push(...pd);
    losses.push(...ld);
    targs.push(...yd);
    tf.dispose([p, l, b.x, b.y]);
  }
  const n = losses.length;
  const c = n ? probs.length / n : vocab.length;
  if (vocab.length !== c)
    vocab.splice(0, vocab.length, ...Array.from({ length: c }, (_, i) => String(i)));
  const imported = setup.data === 'imported';
  let paths = Array.from({ length: n }, (_, i) => `demo/valid/${i}`);
  if (imported) {
    const items = importedItems().valid;
    if (items.length !== n)
      throw new Error(
        `the imported data changed since the session was set up (${items.length} validation items, the model saw ${n}): set up the session again`,
      );
    paths = items.map((it) => it.path);
  }
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
function itemPixels(img: RgbImage, size: number, train = false, rand = () => 0.5): Float32Array {
  const out = new Float32Array(size * size * 3);
  applyItemTfm(img, itemTfmOf(size), train, rand, out, 0);
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

/** Decode dropped bytes as the import does (into the same cache size), or explain why not. */
async function decodeBytes(bytes: ArrayBuffer | Uint8Array, size: number) {
  return decodeToCache(new Blob([bytes as BlobPart]), Math.max(DEFAULT_CACHE_SIZE, size));
}

export interface GradCamArgs {
  /** A validation item by index (as in the `interpret` result)... */
  index?: number;
  /** ...or any imported file by path... */
  path?: string;
  /** ...or a new image's bytes (Predict). */
  bytes?: ArrayBuffer | Uint8Array;
  /** The class to explain; default the predicted class. */
  classIndex?: number;
}

export interface GradCamResult {
  path: string;
  classIndex: number;
  label: string;
  prob: number;
  probs: number[];
  /** Heat in [0, 1], [height, width] row-major, aligned with `image`. */
  heatmap: Float32Array;
  width: number;
  height: number;
  rawWidth: number;
  rawHeight: number;
  /** The image as the model saw it (session size). */
  image: RgbSample;
}

/** The [0,1] pixels (session size) of a Grad-CAM target. */
async function camInput(
  a: GradCamArgs,
  size: number,
): Promise<{ path: string; pixels: Float32Array }> {
  const { learn, setup } = session();
  if (a.bytes) {
    const d = await decodeBytes(a.bytes, size);
    if ('error' in d) throw new Error(d.error);
    return { path: a.path ?? 'image', pixels: itemPixels(d, size) };
  }
  if (setup.data === 'imported') {
    const { valid, train } = importedItems();
    const item =
      a.index !== undefined
        ? valid[a.index]
        : [...valid, ...train].find((it) => it.path === a.path);
    if (item) return { path: item.path, pixels: itemPixels(item.image, size) };
    const cached = a.path !== undefined ? cachedImage(a.path) : undefined;
    if (cached) return { path: cached.path, pixels: itemPixels(cached, size) };
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

export async function gradcamCmd(a: GradCamArgs): Promise<GradCamResult> {
  const { learn, setup } = session();
  const size = setup.size;
  const { path, pixels } = await camInput(a, size);
  const model = learn.model;
  const x = tf.tidy(() => normalizeInput(tf.tensor4d(pixels, [1, size, size, 3]), model.input, tf));
  try {
    const cam = await gradCam(model, x, {
      classIndex: a.classIndex,
      multiLabel: !learn.lossFunc.yInt,
    });
    const vocab = (learn.data as { vocab?: readonly string[] }).vocab ?? [];
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

export interface PredictLearnerArgs {
  images: { path: string; bytes: ArrayBuffer | Uint8Array }[];
  tta?: boolean;
  /** Classes listed per image (default 3). */
  top?: number;
}

export interface LearnerPrediction {
  path: string;
  error?: string;
  /** Single-label: the argmax; multi-label: every class with prob >= 0.5. */
  predicted: string[];
  /** Probability of the first predicted class (or the top class). */
  prob: number;
  top: { label: string; prob: number }[];
  probs: number[];
}

export { ttaBlend } from './tta';

/** Top-k labels of one probability row (ties keep class order). */
export function topK(row: ArrayLike<number>, vocab: readonly string[], k: number) {
  return Array.from(row, (prob, i) => ({ label: vocab[i] ?? String(i), prob, i }))
    .sort((a, b) => b.prob - a.prob || a.i - b.i)
    .slice(0, k)
    .map(({ label, prob }) => ({ label, prob }));
}

export async function predictLearner(a: PredictLearnerArgs): Promise<LearnerPrediction[]> {
  const { learn, setup } = session();
  const size = setup.size;
  const vocab = (learn.data as { vocab?: readonly string[] }).vocab ?? [];
  const multiLabel = !learn.lossFunc.yInt;
  const k = a.top ?? 3;
  const out: LearnerPrediction[] = a.images.map((im) => ({
    path: im.path,
    predicted: [],
    prob: 0,
    top: [],
    probs: [],
  }));
  const decoded = await Promise.all(a.images.map((im) => decodeBytes(im.bytes, size)));
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
      chunk.forEach(({ d }, r) => px.set(itemPixels(d, size, train, rand), r * size * size * 3));
      return px;
    };
    let probs = await run(stack(false), chunk.length, false);
    if (a.tta) {
      const passes: Float32Array[] = [];
      for (let t = 0; t < 4; t++) passes.push(await run(stack(true), chunk.length, true));
      probs = ttaBlend(passes, probs);
    }
    const c = probs.length / chunk.length;
    chunk.forEach(({ i }, r) => {
      const row = Array.from(probs.subarray(r * c, (r + 1) * c));
      const top = topK(row, vocab, k);
      const predicted = multiLabel
        ? row.flatMap((p, j) => (p >= 0.5 ? [vocab[j] ?? String(j)] : []))
        : [top[0].label];
      out[i] = {
        path: out[i].path,
        predicted,
        prob: multiLabel && predicted.length ? row[vocab.indexOf(predicted[0])] : top[0].prob,
        top,
        probs: row,
      };
    });
  }
  return out;
}
