// The worker's current model: create one, import weights into it (all-or-nothing), load the
// bundled ImageNet ResNet50, run it on tensors or on image files. Runs inside the worker.
import * as tf from '@tensorflow/tfjs';

import { decodeToCache } from '../data/decode';
import { cachedFetch } from '../shared/cachedFetch';
import { siteUrl } from '../shared/siteUrl';
import { normalizeInput } from '../data/normalize';
import type { Model } from './model';
import { buildModel } from './zoo';
import { phaseBatches } from '../engine/cpuEngine/choose';
import { readPth } from './weights/pth';
import { readSafetensors } from './weights/safetensors';
import { loadStateDict } from './weights/stateDict';
import {
  batchNormEpsilons,
  parseModelJson,
  readTfjsLayers,
  type ModelJson,
} from './weights/tfjsLayers';
import { ParseBudget, refuse } from '../shared/badFile';
import type { ModelInfo, PredictImage, Prediction, WeightFile } from '../shared/protocol';

// Paths inside the site (vite.config.ts copies them into dist/), fetched through siteUrl.
export const BUNDLED_URL = 'models/resnet50-imagenet/model.json';
export const BUNDLED_LABELS_URL = 'models/resnet50-imagenet-assets/labels.json';

/** The Model panel's model (held by src/worker/state.ts); the Learner's body may copy it. */
export interface ModelState {
  current?: { model: Model; labels?: string[]; source: string };
}

function info({ current }: ModelState): ModelInfo {
  if (!current) throw new Error('no model: create one or load the bundled ResNet50 first');
  const { model, labels, source } = current;
  const fc = [...model.params.values()].at(-1)!;
  return {
    arch: model.arch,
    nParams: [...model.params.values()].reduce((s, v) => s + v.size, 0),
    nClasses: fc.shape[fc.shape.length - 1],
    labels: !!labels,
    source,
  };
}

function replace(m: ModelState, model: Model, source: string, labels?: string[]) {
  m.current?.model.dispose();
  m.current = { model, labels, source };
  return info(m);
}

export function createModel(
  m: ModelState,
  args: { arch: string; nClasses?: number; seed?: number },
): ModelInfo {
  return replace(
    m,
    buildModel(args.arch, args.nClasses ?? 1000, args.seed ?? 0),
    `random init (seed ${args.seed ?? 0})`,
  );
}

/**
 * Imports weights from dropped/fetched files into a NEW model of `arch` (default: the current
 * model's arch and class count); only when every key and shape fits does it replace the current
 * model, so a failed import leaves it untouched.
 */
export function loadWeights(
  m: ModelState,
  args: {
    files: WeightFile[];
    arch?: string;
    nClasses?: number;
  },
): ModelInfo {
  const files = args.files;
  const byName = (re: RegExp) => files.find((f) => re.test(f.name));
  const arch = args.arch ?? m.current?.model.arch;
  if (!arch) throw new Error('loading weights needs an architecture (--arch) or a current model');
  const json = byName(/\.json$/i);
  const st = byName(/\.safetensors$/i);
  const pth = byName(/\.(pth|pt|bin|ckpt)$/i);
  let sd;
  let layout: 'torch' | 'tf';
  let eps: number | undefined;
  if (st) {
    sd = readSafetensors(new Uint8Array(st.bytes), st.name).tensors;
    layout = 'torch';
  } else if (pth) {
    sd = readPth(new Uint8Array(pth.bytes), pth.name);
    layout = 'torch';
  } else if (json) {
    // model.json and its shards are read under one time budget.
    const budget = new ParseBudget();
    const mj = parseModelJson(new Uint8Array(json.bytes), json.name, budget);
    sd = readTfjsLayers(
      mj,
      (path) => {
        const f = files.find((x) => x.name === path || x.name.endsWith(`/${path}`));
        if (!f) refuse(`needs the shard '${path}': drop it together with ${json.name}`);
        return new Uint8Array(f.bytes);
      },
      json.name,
      budget,
    );
    layout = 'tf';
    [eps] = batchNormEpsilons(mj);
  } else {
    throw new Error(
      `no weights file among ${files.map((f) => f.name).join(', ')} (expected .safetensors, .pth/.pt or model.json + shards)`,
    );
  }
  const fc = sd.get('fc.weight') ?? sd.get('fc1000.weight');
  // A torchvision fc is [out, in]; a Keras fc1000 kernel is [in, out].
  const nClasses = args.nClasses ?? (fc ? fc.shape[layout === 'torch' ? 0 : 1] : 1000);
  const model = buildModel(arch, nClasses, 0, eps);
  try {
    loadStateDict(model, sd, layout, files.map((f) => f.name).join(' + '));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return replace(m, model, files.map((f) => f.name).join(' + '));
}

/**
 * A new Model with the bundled Keras ResNet50's ImageNet weights (fetched from the studio's server
 * through the cache). The caller owns it: the Model panel's current model and the Learner's
 * pretrained body each get their own copy.
 */
export async function bundledResnet50(): Promise<Model> {
  const get = (path: string) => cachedFetch(siteUrl(path));
  const json = (await (await get(BUNDLED_URL)).json()) as ModelJson;
  const base = BUNDLED_URL.slice(0, BUNDLED_URL.lastIndexOf('/') + 1);
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const shards = new Map(
    await Promise.all(
      paths.map(
        async (p) => [p, new Uint8Array(await (await get(base + p)).arrayBuffer())] as const,
      ),
    ),
  );
  const sd = readTfjsLayers(json, (p) => shards.get(p)!);
  const [eps] = batchNormEpsilons(json);
  const model = buildModel('keras-resnet50', 1000, 0, eps);
  try {
    loadStateDict(model, sd, 'tf', 'bundled ResNet50');
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The bundled Keras ResNet50 (ImageNet) and its class names, fetched from the studio's server. */
export async function loadBundled(m: ModelState): Promise<ModelInfo> {
  if (m.current?.source === BUNDLED_URL) return info(m);
  const get = (path: string) => cachedFetch(siteUrl(path));
  const model = await bundledResnet50();
  const labelsById = (await (await get(BUNDLED_LABELS_URL)).json()) as Record<string, string>;
  const labels = Array.from({ length: 1000 }, (_, i) => labelsById[String(i)] ?? String(i));
  return replace(m, model, BUNDLED_URL, labels);
}

/** Eval-mode logits for an already-normalised NHWC input. */
export async function forward(
  m: ModelState,
  args: { input: Float32Array | number[]; shape: [number, number, number, number] },
) {
  const model = m.current?.model;
  if (!model) throw new Error('no model');
  const logits = tf.tidy(() =>
    model.forward(tf.tensor4d(args.input, args.shape), { training: false }),
  );
  try {
    return { logits: (await logits.array()) as number[][] };
  } finally {
    logits.dispose();
  }
}

/**
 * Top-k classes for image files: decode (createImageBitmap, via the import pipeline's
 * decodeToCache), resize to size x size (squashed, as Keras `load_img(target_size)`),
 * normalise as the model was trained, softmax.
 */
export async function predict(
  m: ModelState,
  args: { images: PredictImage[]; top?: number; size?: number },
): Promise<Prediction[]> {
  const model = m.current?.model;
  if (!model) throw new Error('no model');
  const size = args.size ?? 224;
  const k = args.top ?? 5;
  const out: Prediction[] = args.images.map((img) => ({ path: img.path, top: [] }));
  const decoded = await Promise.all(
    // A named File: a refusal (too large, corrupt header) names the image.
    args.images.map((img) => decodeToCache(new File([img.bytes], img.path), size * 2)),
  );
  const ok = decoded.flatMap((d, i) =>
    'error' in d ? ((out[i].error = d.error), []) : [{ d, i }],
  );
  // One batch per 8 images: a forward's cost on SwiftShader is mostly per-dispatch overhead.
  // On the engine chosen for the phase (engine/cpuEngine: wasm where the GPU is emulated).
  let run = model; // or its wasm copy while the phase runs there
  const spec = { phase: 'predict', model, shape: [Math.min(8, ok.length), size, size, 3] } as const;
  const chunks = async function* () {
    for (let b = 0; b < ok.length; b += 8) yield ok.slice(b, b + 8);
  };
  for await (const chunk of ok.length ? phaseBatches(spec, chunks, (x) => (run = x)) : []) {
    const probs = tf.tidy(() => {
      const x = tf.concat(
        chunk.map(({ d }) => {
          const pixels = tf.tensor3d(d.rgb, [d.height, d.width, 3], 'int32');
          const img = tf.div(tf.cast(pixels, 'float32'), 255).expandDims(0) as tf.Tensor4D;
          return tf.image.resizeBilinear(img, [size, size]);
        }),
      );
      return tf.softmax(run.forward(normalizeInput(x, run.input, tf), { training: false }));
    });
    const { values, indices } = tf.topk(probs, k);
    const [p, idx] = [(await values.array()) as number[][], (await indices.array()) as number[][]];
    tf.dispose([probs, values, indices]);
    chunk.forEach(({ i }, r) => {
      out[i].top = idx[r].map((c, j) => ({
        label: m.current?.labels?.[c] ?? String(c),
        prob: p[r][j],
      }));
    });
  }
  return out;
}
