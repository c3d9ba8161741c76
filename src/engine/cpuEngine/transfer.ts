// Tensors between engines: tfjs moves data between backends only by a synchronous read (slow on
// webgpu), so a phase on another engine reads its tensors to CPU arrays and remakes them.
import * as tf from '@tensorflow/tfjs';

export interface CpuTensor {
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: tf.DataType;
}

/** The tensor's data (from whichever backend holds it). */
export const toCpu = async (t: tf.Tensor): Promise<CpuTensor> => ({
  values: (await t.data()) as CpuTensor['values'],
  shape: [...t.shape],
  dtype: t.dtype,
});

/** One tensor on the current backend: `parts` concatenated along the first axis. */
export function fromCpu(parts: CpuTensor[]): tf.Tensor {
  if (!parts.length) throw new Error('fromCpu: nothing to concatenate');
  const [{ values: v0, shape, dtype }] = parts;
  const Ctor = v0.constructor as new (n: number) => CpuTensor['values'];
  const values = new Ctor(parts.reduce((s, p) => s + p.values.length, 0));
  parts.reduce((o, p) => (values.set(p.values, o), o + p.values.length), 0);
  return tf.tensor(values, [parts.reduce((s, p) => s + p.shape[0], 0), ...shape.slice(1)], dtype);
}

/** The same tensor on the current backend (disposes the original). */
export async function moveHere<T extends tf.Tensor>(t: T): Promise<T> {
  const c = fromCpu([await toCpu(t)]) as T;
  t.dispose();
  return c;
}
