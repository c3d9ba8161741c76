// TF.js layers models (model.json + binary shards). Weight names are Keras layer/weight names
// (`res2a_branch2a/kernel`, `bn2a_branch2a/moving_mean`); they map onto our keys by replacing
// the Keras weight name with PyTorch's (kernel/gamma -> weight, beta -> bias, moving_mean ->
// running_mean, moving_variance -> running_var). Keras layouts (HWIO, Dense [in, out]) are ours.
// The weightsManifest is checked before a shard is read: each shard listed once, names unique,
// shapes lists of counts, float32 only, and each group's shards exactly as long as its weights.
import {
  checkShape,
  describe,
  LIMITS,
  mib,
  ParseBudget,
  parseJson,
  readingFile,
  refuse,
  refuseNonFinite,
} from '../../shared/badFile';
import { decodeDtype } from './safetensors';
import type { StateDict } from './tensors';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
export interface ModelJson {
  modelTopology?: {
    model_config?: {
      config?: { layers?: { class_name: string; config: Record<string, unknown> }[] };
    };
  };
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
}

const SUFFIX: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

/** Keras weight name -> our key: `bn2a_branch1/moving_mean` -> `bn2a_branch1.running_mean`. */
export function kerasKey(name: string): string {
  const parts = name.replace(/:\d+$/, '').split('/');
  const w = parts.pop()!;
  const layer = parts.pop() ?? '';
  return `${layer}.${SUFFIX[w] ?? w}`;
}

/** BatchNormalization epsilons of the topology (all equal in Keras applications). */
export function batchNormEpsilons(json: ModelJson): number[] {
  const layers = json.modelTopology?.model_config?.config?.layers;
  if (!Array.isArray(layers)) return [];
  const eps = layers
    .filter((l) => l?.class_name === 'BatchNormalization')
    .map((l) => Number(l.config?.epsilon));
  return [...new Set(eps.filter((e) => e > 0 && e < 1))];
}

/** model.json's bytes -> the checked manifest; refuses what is not a TF.js layers model. */
export function parseModelJson(
  bytes: Uint8Array,
  file = 'model.json',
  budget = new ParseBudget(),
): ModelJson {
  return readingFile(file, () => {
    if (bytes.length > LIMITS.jsonBytes)
      refuse(`${mib(bytes.length)}: over the ${mib(LIMITS.jsonBytes)} cap for model.json`);
    const json = parseJson(bytes, 'model.json', LIMITS.jsonDepth, budget) as ModelJson;
    checkManifest(json);
    return json;
  });
}

function checkManifest(json: ModelJson) {
  const groups = (json as Partial<ModelJson> | null)?.weightsManifest;
  if (!Array.isArray(groups)) refuse('not a TF.js layers model (no weightsManifest)');
  const [paths, names] = [new Set<string>(), new Set<string>()];
  let [count, total] = [0, 0];
  for (const g of groups) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      refuse('a weightsManifest group is not {paths, weights}');
    for (const p of g.paths) {
      if (typeof p !== 'string') refuse(`shard path ${describe(p)} is not a string`);
      if (paths.has(p)) refuse(`the shard '${p}' is listed twice in weightsManifest`);
      paths.add(p);
    }
    for (const w of g.weights) {
      const name =
        typeof w?.name === 'string' ? w.name : refuse(`weight ${describe(w)} has no name`);
      if (names.has(name)) refuse(`weight '${name}' is listed twice in weightsManifest`);
      names.add(name);
      if (w.quantization) refuse(`weight '${name}' is quantized: not supported`);
      if (w.dtype !== 'float32')
        refuse(`weight '${name}' has dtype ${describe(w.dtype)}: only float32 is supported`);
      total += checkShape(w.shape, `weight '${name}'`);
      if (++count > LIMITS.tensors) refuse(`over ${LIMITS.tensors} weights: over the cap`);
      if (total > LIMITS.elements) refuse(`over ${LIMITS.elements} values: over the cap`);
    }
  }
}

/** Reads the shards (fetched by the caller, in manifest order) into a state dict keyed like ours. */
export function readTfjsLayers(
  json: ModelJson,
  shards: (path: string) => Uint8Array,
  file = 'model.json',
  budget = new ParseBudget(),
): StateDict {
  return readingFile(file, () => {
    checkManifest(json);
    const out: StateDict = new Map();
    let read = 0;
    for (const group of json.weightsManifest) {
      const need = group.weights.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      const parts = group.paths.map((p) => {
        const b = shards(p);
        if ((read += b.length) > LIMITS.fileBytes)
          refuse(`shards over ${mib(LIMITS.fileBytes)} in all: over the cap`);
        return b;
      });
      const have = parts.reduce((s, b) => s + b.length, 0);
      if (have !== need)
        refuse(
          `the shards ${group.paths.join(', ')} hold ${have} bytes, their weights need ${need}`,
        );
      const all = parts.length === 1 ? parts[0] : concat(parts, have);
      let offset = 0;
      for (const w of group.weights) {
        budget.check();
        const n = w.shape.reduce((a, b) => a * b, 1);
        const key = kerasKey(w.name);
        if (out.has(key)) refuse(`weights '${w.name}' and another map to the same key '${key}'`);
        const data = decodeDtype('F32', all.subarray(offset, offset + n * 4), n);
        refuseNonFinite(w.name, data);
        out.set(key, { shape: w.shape, data });
        offset += n * 4;
      }
    }
    return out;
  });
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const all = new Uint8Array(length);
  let o = 0;
  for (const b of parts) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}
