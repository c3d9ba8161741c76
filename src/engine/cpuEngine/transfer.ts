// Tensors as CPU copies: the one tensor -> CPU read of the studio. Snapshots (checkpoints, the
// autosave, session archives) keep them, and a phase on another engine moves its tensors with
// them: tfjs moves data between backends only by a synchronous read (slow on webgpu).
import * as tf from '@tensorflow/tfjs';

export interface CpuTensor {
  shape: number[];
  dtype: tf.DataType;
  data: Float32Array | Int32Array | Uint8Array;
}

/** The tensor's data, copied (on the cpu backend data() may share the tensor's own buffer). */
export const toCpu = async (t: tf.Tensor): Promise<CpuTensor> => ({
  shape: [...t.shape],
  dtype: t.dtype,
  data: (await t.data()).slice() as CpuTensor['data'],
});

/** The copy as a tensor of the current backend. */
export const fromCpu = (c: CpuTensor) => tf.tensor(c.data, c.shape, c.dtype);

/** `parts` concatenated along the first axis. */
export function concatCpu(parts: CpuTensor[]): CpuTensor {
  if (!parts.length) throw new Error('concatCpu: nothing to concatenate');
  const [{ data: d0, shape, dtype }] = parts;
  const Ctor = d0.constructor as new (n: number) => CpuTensor['data'];
  const data = new Ctor(parts.reduce((s, p) => s + p.data.length, 0));
  parts.reduce((o, p) => (data.set(p.data, o), o + p.data.length), 0);
  return { shape: [parts.reduce((s, p) => s + p.shape[0], 0), ...shape.slice(1)], dtype, data };
}

/** The same tensor on the current backend (disposes the original). */
export async function moveHere<T extends tf.Tensor>(t: T): Promise<T> {
  const c = fromCpu(await toCpu(t)) as T;
  t.dispose();
  return c;
}
