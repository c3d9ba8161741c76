// The kernel check's case builders: each op of a Studio kernel and its gradients (tf.grads, so
// tfjs autodiff picks the backprop kernels), optionally under a forced autotune variant.
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../engine/kernels/gemm';
import { studioAutotuner } from '../../engine/kernels/register';

export interface Case {
  name: string;
  shapes: number[][];
  /** Returns the forward result followed by the gradients (all tensors checked). */
  run(inputs: tf.Tensor[]): tf.Tensor[];
}

/** A fixed upstream gradient for `out`, computed in JS so every backend sees the same dy (GPU
 * sin/cos are imprecise for large arguments). */
const fixedDy = (out: tf.Tensor, step: number, wave = Math.cos) =>
  tf.tensor(
    Float32Array.from({ length: out.size }, (_, i) => wave(i * step)),
    out.shape,
  );

/** Runs `run` with autotune variant `variant` forced on every kernel it calls (undefined: none). */
function underVariant<T>(variant: string | undefined, run: () => T): T {
  const tuner = studioAutotuner();
  tuner.force(variant);
  try {
    return run();
  } finally {
    tuner.force(undefined);
  }
}

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

export function convCase(
  name: string,
  x: number[],
  f: number[],
  stride: number,
  pad: Pad,
  opts: {
    bias?: boolean;
    activation?: Activation;
    dilation?: number;
    grads?: boolean;
    /** Force this autotune variant on our kernels (variants that change the WGSL). */
    variant?: string;
  } = {},
): Case {
  const fused = opts.bias || opts.activation;
  const conv = (xs: tf.Tensor4D, w: tf.Tensor4D, b?: tf.Tensor1D) =>
    fused
      ? tf.fused.conv2d({
          x: xs,
          filter: w,
          strides: stride,
          pad: pad as 'same',
          bias: b,
          activation: opts.activation ?? 'linear',
          dilations: opts.dilation ?? 1,
          leakyreluAlpha: 0.1,
        })
      : tf.conv2d(xs, w, stride, pad as 'same', 'NHWC', opts.dilation ?? 1);
  const shapes = opts.bias ? [x, f, [f[3]]] : [x, f];
  return {
    name,
    shapes,
    run([xs, w, b]) {
      const f4 = (...a: tf.Tensor[]) =>
        conv(a[0] as tf.Tensor4D, a[1] as tf.Tensor4D, a[2] as tf.Tensor1D | undefined);
      return underVariant(opts.variant, () => {
        const y = f4(xs, w, b);
        if (opts.grads === false) return [y];
        const dy = fixedDy(y, 0.37, Math.sin);
        return [y, ...tf.grads(f4)(b ? [xs, w, b] : [xs, w], dy)];
      });
    },
  };
}

export function matMulCase(
  name: string,
  a: number[],
  b: number[],
  tA: boolean,
  tB: boolean,
  fused?: { bias: number[]; activation: 'relu' | 'linear' },
  grads = true,
  /** Force this autotune variant (variants that change the WGSL). */
  variant?: string,
): Case {
  const mm = (x: tf.Tensor, y: tf.Tensor, bias?: tf.Tensor) =>
    fused
      ? tf.fused.matMul({
          a: x,
          b: y,
          transposeA: tA,
          transposeB: tB,
          bias,
          activation: fused.activation,
        })
      : tf.matMul(x, y, tA, tB);
  return {
    name,
    shapes: fused ? [a, b, fused.bias] : [a, b],
    run([x, y, bias]) {
      const f = (...t: tf.Tensor[]) => mm(t[0], t[1], t[2]);
      return underVariant(variant, () => {
        const out = f(x, y, bias);
        if (!grads) return [out];
        const dy = fixedDy(out, 0.21);
        return [out, ...tf.grads(f)(bias ? [x, y, bias] : [x, y], dy)];
      });
    },
  };
}

/** a OP b (same shape, a scalar operand, or a broadcast the stock kernel keeps) and its gradients. */
export function binaryCase(
  name: string,
  a: number[],
  b: number[],
  op: 'add' | 'sub' | 'mul',
): Case {
  const f = (x: tf.Tensor, y: tf.Tensor) =>
    op === 'add' ? tf.add(x, y) : op === 'sub' ? tf.sub(x, y) : tf.mul(x, y);
  return {
    name,
    shapes: [a, b],
    run([x, y]) {
      const out = f(x, y);
      const dy = fixedDy(out, 0.13);
      return [out, ...tf.grads((u: tf.Tensor, v: tf.Tensor) => f(u, v))([x, y], dy)];
    },
  };
}

/** max pool and its gradient (MaxPoolGrad: ours when C % 4 == 0, else stock). */
export function maxPoolCase(
  name: string,
  x: number[],
  size: number,
  stride: number,
  pad: 'same' | 'valid' | number,
): Case {
  const f = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, size, stride, pad);
  return {
    name,
    shapes: [x],
    run([t]) {
      const out = f(t);
      return [out, tf.grad(f)(t, fixedDy(out, 0.29))];
    },
  };
}
