// Loading a state dict into a Model, all-or-nothing: every key and shape is checked first, and
// one error names all missing/extra keys and shape mismatches; the model is untouched then.
import * as tf from '@tensorflow/tfjs';

import { toCpu } from '../../engine/cpuEngine/transfer';
import type { Model } from '../model';
import { fromTorchLayout, toTorchLayout, type StateDict } from './tensors';

/** Keys PyTorch saves that carry no weights. */
const IGNORED = /\.num_batches_tracked$/;

const list = (keys: string[], n = 8) =>
  keys.slice(0, n).join(', ') + (keys.length > n ? `, ... (${keys.length} in all)` : '');

export class WeightsMismatchError extends Error {}

/**
 * Checks then assigns. `layout` says how the file stores tensors: 'torch' (OIHW convs,
 * [out, in] linears: safetensors/.pth) or 'tf' (HWIO, [in, out]: TF.js/Keras, our own).
 */
export function loadStateDict(
  model: Model,
  sd: StateDict,
  layout: 'torch' | 'tf',
  source = 'weights',
): void {
  const ours = new Map([...model.params, ...model.buffers]);
  const keys = [...sd.keys()].filter((k) => !IGNORED.test(k));
  const missing = [...ours.keys()].filter((k) => !sd.has(k));
  const extra = keys.filter((k) => !ours.has(k));
  // Shapes are checked before any data is converted; conversion then happens one tensor at a
  // time, so a 100 MB checkpoint is not held twice (SwiftShader's GPU memory is host memory).
  const fileShape = (k: string) => sd.get(k)!.shape;
  const ourShape = (k: string) => {
    const s = fileShape(k);
    if (layout === 'tf') return s;
    return s.length === 4 ? [s[2], s[3], s[1], s[0]] : s.length === 2 ? [s[1], s[0]] : s;
  };
  const shapes: string[] = [];
  for (const k of keys) {
    const v = ours.get(k);
    if (!v) continue;
    const t = ourShape(k);
    if (t.length !== v.shape.length || t.some((d, i) => d !== v.shape[i]))
      shapes.push(
        `${k}: file [${fileShape(k)}] vs model [${layout === 'torch' ? torchShape(v.shape) : v.shape}]`,
      );
  }
  if (missing.length || extra.length || shapes.length) {
    const parts = [`${source} do not fit '${model.arch}'`];
    if (missing.length && missing.length === ours.size && extra.length)
      parts.push('no key matches: a different architecture or key naming?');
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (extra.length) parts.push(`unexpected keys: ${list(extra)}`);
    if (shapes.length) parts.push(`shape mismatches: ${list(shapes, 6)}`);
    throw new WeightsMismatchError(parts.join('; ') + '. The current model is unchanged.');
  }
  for (const k of keys) {
    const v = ours.get(k)!;
    const t = layout === 'torch' ? fromTorchLayout(sd.get(k)!) : sd.get(k)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}

/** The model's tensors as a state dict in PyTorch layout (for safetensors export and tests). */
export async function exportStateDict(model: Model): Promise<StateDict> {
  const out: StateDict = new Map();
  for (const [k, v] of [...model.params, ...model.buffers]) {
    const { shape, data } = await toCpu(v);
    out.set(k, toTorchLayout({ shape, data: data as Float32Array }));
  }
  return out;
}

const torchShape = (s: number[]) =>
  s.length === 4 ? [s[3], s[2], s[0], s[1]] : s.length === 2 ? [s[1], s[0]] : s;
