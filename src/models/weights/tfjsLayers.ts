// TF.js layers models (model.json + binary shards). Weight names are Keras layer/weight names
// (`res2a_branch2a/kernel`, `bn2a_branch2a/moving_mean`); they map onto our keys by replacing
// the Keras weight name with PyTorch's (kernel/gamma -> weight, beta -> bias, moving_mean ->
// running_mean, moving_variance -> running_var). Keras layouts (HWIO, Dense [in, out]) are ours.
import type { StateDict } from './tensors';
import { decodeDtype } from './safetensors';
import { numel } from './tensors';

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
  const layers = json.modelTopology?.model_config?.config?.layers ?? [];
  return [
    ...new Set(
      layers
        .filter((l) => l.class_name === 'BatchNormalization')
        .map((l) => Number(l.config.epsilon)),
    ),
  ];
}

/** Reads the shards (fetched by the caller, in manifest order) into a state dict keyed like ours. */
export function readTfjsLayers(json: ModelJson, shards: (path: string) => Uint8Array): StateDict {
  const out: StateDict = new Map();
  for (const group of json.weightsManifest) {
    const parts = group.paths.map(shards);
    const all = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
    let o = 0;
    for (const b of parts) {
      all.set(b, o);
      o += b.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`TF.js weight '${w.name}' is quantized: not supported`);
      if (w.dtype !== 'float32')
        throw new Error(`TF.js weight '${w.name}' has dtype ${w.dtype}: only float32 is supported`);
      const n = numel(w.shape);
      if (offset + n * 4 > all.length)
        throw new Error(`TF.js shards end before weight '${w.name}'`);
      out.set(kerasKey(w.name), {
        shape: w.shape,
        data: decodeDtype('F32', all.subarray(offset, offset + n * 4), n),
      });
      offset += n * 4;
    }
  }
  return out;
}
