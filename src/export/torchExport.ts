// The safetensors export: the model's tensors under PyTorch state-dict names and layouts, and a
// config.json that says how to rebuild the network around them (scripts/torch/load_export.py).
//  - torchvision-layout ResNets: body keys exactly torchvision's (`conv1.weight`, `bn1.*`,
//    `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, ...), conv weights OIHW, and a
//    `num_batches_tracked` int64 scalar per BatchNorm as torchvision's state_dict has;
//  - the fastai head under `head.<i>.*`, `<i>` being the index in fastai's `create_head`
//    nn.Sequential (0 AdaptiveConcatPool2d, 1 Flatten, 2 BatchNorm1d, 3 Dropout, 4 Linear,
//    5 ReLU, 6 BatchNorm1d, 7 Dropout, 8 Linear): fastai's own `learn.model[1]` state dict
//    with a `head.` prefix. Linear weights are [out, in] as nn.Linear's;
//  - Keras ResNet50 v1: Keras layer names with PyTorch suffixes (see models/kerasResnet50.ts:
//    `res2a_branch2a.weight`, `bn2a_branch2a.running_mean`, ...), same PyTorch layouts;
//  - the tiny demo nets: their own keys (conv1, bn1, conv2, bn2, fc), PyTorch layouts.
// Everything here is pure (tensors in, bytes/JSON out) so it is unit-tested in Node.
import type { InputSpec } from '../data/normalize';
import type { RawTensor } from '../models/weights/tensors';
import { toTorchLayout } from '../models/weights/tensors';
import { f32, i64, writeSafetensorsTyped, type TypedTensor } from '../models/weights/safetensors';

export type HeadLayer =
  | { index: number; type: 'AdaptiveConcatPool2d' }
  | { index: number; type: 'Flatten' }
  | { index: number; type: 'BatchNorm1d'; num_features: number; eps: number; momentum: number }
  | { index: number; type: 'Dropout'; p: number }
  | { index: number; type: 'Linear'; in_features: number; out_features: number; bias: boolean }
  | { index: number; type: 'ReLU' };

export interface ExportConfig {
  format: 'studio-export';
  version: 1;
  architecture: string;
  /** How the body's keys are named: torchvision's, the Keras layer names, or the studio's tiny nets. */
  key_naming: 'torchvision' | 'keras-resnet50' | 'studio';
  classes: string[];
  num_classes: number;
  multi_label: boolean;
  /** Square images of this side, as trained. */
  input_size: [number, number];
  /** Pixels arrive as RGB in [0, 1]; multiply by `scale`, reverse to BGR if `bgr`, then (x - mean) / std. */
  normalization: { scale: number; mean: number[]; std: number[]; bgr: boolean };
  /** `fastai`: create_head under `head.`; `fc`: global average pool + Linear `fc`/`fc1000`. */
  head: { type: 'fastai'; prefix: 'head.'; layers: HeadLayer[] } | { type: 'fc'; key: string };
  bn_eps: number;
  /** What the layouts are: conv OIHW, linear [out, in] (PyTorch). */
  layout: 'pytorch';
}

const bnPrefixes = (keys: Iterable<string>) =>
  [...keys]
    .filter((k) => k.endsWith('.running_var'))
    .map((k) => k.slice(0, -'.running_var'.length));

/** Reads fastai's create_head back from the `head.<i>.*` keys and shapes (our layout). */
export function headLayout(tensors: Map<string, { shape: number[] }>): HeadLayer[] {
  const idx = new Map<number, 'bn' | 'lin'>();
  for (const k of tensors.keys()) {
    const m = /^head\.(\d+)\.(weight|running_mean)$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    if (m[2] === 'running_mean') idx.set(i, 'bn');
    else if (!idx.has(i)) idx.set(i, tensors.has(`head.${i}.running_mean`) ? 'bn' : 'lin');
  }
  if (!idx.size) return [];
  const last = Math.max(...idx.keys());
  const linears = [...idx].filter(([, t]) => t === 'lin').map(([i]) => i);
  const lastLin = Math.max(...linears);
  const layers: HeadLayer[] = [
    { index: 0, type: 'AdaptiveConcatPool2d' },
    { index: 1, type: 'Flatten' },
  ];
  for (let i = 2; i <= last; i++) {
    const t = idx.get(i);
    if (t === 'bn')
      layers.push({
        index: i,
        type: 'BatchNorm1d',
        num_features: tensors.get(`head.${i}.weight`)!.shape[0],
        eps: 1e-5,
        momentum: 0.1,
      });
    else if (t === 'lin') {
      const [nin, nout] = tensors.get(`head.${i}.weight`)!.shape; // ours: [in, out]
      layers.push({
        index: i,
        type: 'Linear',
        in_features: nin,
        out_features: nout,
        bias: tensors.has(`head.${i}.bias`),
      });
    } else if (layers[layers.length - 1].type === 'BatchNorm1d')
      // fastai create_head(ps=0.5): the last LinBnDrop drops 0.5, earlier ones 0.25.
      layers.push({
        index: i,
        type: 'Dropout',
        p: idx.get(i + 1) === 'lin' && i + 1 === lastLin ? 0.5 : 0.25,
      });
    else layers.push({ index: i, type: 'ReLU' });
  }
  return layers;
}

export function keyNaming(arch: string): ExportConfig['key_naming'] {
  if (arch === 'keras-resnet50' || arch === 'resnet50-imagenet') return 'keras-resnet50';
  if (/^resnet(18|34|50|-tiny)$/.test(arch)) return 'torchvision';
  return 'studio';
}

export interface ExportMeta {
  arch: string;
  classes: string[];
  multiLabel: boolean;
  size: number;
  input: InputSpec;
  bnEps: number;
}

export function exportConfig(
  tensors: Map<string, { shape: number[] }>,
  meta: ExportMeta,
): ExportConfig {
  const layers = headLayout(tensors);
  const fc = ['fc1000', 'fc'].find((k) => tensors.has(`${k}.weight`)) ?? 'fc';
  return {
    format: 'studio-export',
    version: 1,
    architecture: meta.arch,
    key_naming: keyNaming(meta.arch),
    classes: meta.classes,
    num_classes: meta.classes.length,
    multi_label: meta.multiLabel,
    input_size: [meta.size, meta.size],
    normalization: {
      scale: meta.input.scale,
      mean: [...meta.input.mean],
      std: [...meta.input.std],
      bgr: meta.input.bgr,
    },
    head: layers.length ? { type: 'fastai', prefix: 'head.', layers } : { type: 'fc', key: fc },
    bn_eps: meta.bnEps,
    layout: 'pytorch',
  };
}

/** Our tensors (conv HWIO, linear [in, out]) -> a PyTorch state dict, with `num_batches_tracked`. */
export function torchStateDict(
  tensors: Map<string, RawTensor>,
  numBatchesTracked = 0,
): Map<string, TypedTensor> {
  const out = new Map<string, TypedTensor>();
  const bns = new Set(bnPrefixes(tensors.keys()));
  for (const [k, t] of tensors) {
    const tt = toTorchLayout(t);
    out.set(k, f32(tt.shape, tt.data));
    const prefix = k.slice(0, -'.running_var'.length);
    if (k.endsWith('.running_var') && bns.has(prefix))
      out.set(`${prefix}.num_batches_tracked`, i64([], [numBatchesTracked]));
  }
  return out;
}

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

export function safetensorsExport(
  tensors: Map<string, RawTensor>,
  meta: ExportMeta,
  numBatchesTracked = 0,
): ExportedFile[] {
  const config = exportConfig(tensors, meta);
  const sd = torchStateDict(tensors, numBatchesTracked);
  const bytes = writeSafetensorsTyped(sd, {
    format: 'pt',
    architecture: meta.arch,
    key_naming: config.key_naming,
  });
  return [
    { name: 'model.safetensors', bytes },
    {
      name: 'config.json',
      bytes: new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'),
    },
  ];
}
