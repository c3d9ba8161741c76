// Correctness check for the Studio kernels, run in the worker on the real adapter: every
// overridden op and its gradients (tf.grads, so tfjs autodiff picks the backprop kernels) on
// randomized awkward shapes, compared with tfjs's CPU backend, and with the stock webgpu
// kernels (switch off) to show the switch changes nothing beyond float tolerance.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/random';
import { forceVariant, wideVariantCalls } from './autotune';
import { setStudioKernels, studioKernelCalls, studioKernelsEnabled } from './register';

export interface KernelCheckCase {
  name: string;
  /** max over outputs of |ours - cpu| / max(1, |cpu|) */
  maxRelErrorVsCpu: number;
  /** same metric, ours vs the stock webgpu kernels */
  maxRelErrorVsStock: number;
}

export interface KernelCheckResult {
  cases: KernelCheckCase[];
  /** WebGPU errors raised while the check ran (shader compile, bind group layout, ...). */
  gpuErrors: string[];
  /** tensors alive after the check minus before it (0 = no leak). */
  leakedTensors: number;
  /** Kernel calls that ran each wide (4x8 tile) autotune variant so far in this page. */
  wideVariantCalls?: Record<string, number>;
  /** Per overridden kernel: calls our programs ran vs handed to stock, so far in this page. */
  kernelCalls?: Record<string, { ours: number; stock: number }>;
  seconds: number;
}

interface Case {
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
  forceVariant(variant);
  try {
    return run();
  } finally {
    forceVariant(undefined);
  }
}

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

function convCase(
  name: string,
  x: number[],
  f: number[],
  stride: number,
  pad: Pad,
  opts: {
    bias?: boolean;
    activation?: 'relu' | 'elu' | 'leakyrelu';
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

function matMulCase(
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
function binaryCase(name: string, a: number[], b: number[], op: 'add' | 'sub' | 'mul'): Case {
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
function maxPoolCase(
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

/** Awkward on purpose: odd sizes, channels not multiple of 4, batch 1, all paddings and strides. */
export const CHECK_CASES: Case[] = [
  // Channel counts that are not multiples of 4 (padded to 4 inside the loads), every filter
  // size, stride 1 and 2 (strided backprop-input runs per output phase), all paddings.
  convCase('conv 3x3 s1 same, Cin 5, Cout 7, 9x11, b2', [2, 9, 11, 5], [3, 3, 5, 7], 1, 'same'),
  convCase(
    'conv 7x7 s2 pad 3, Cin 3, Cout 8, 13x11, b1 (RGB stem)',
    [1, 13, 11, 3],
    [7, 7, 3, 8],
    2,
    3,
  ),
  // 1-3 input channels and Cout % 16 == 0: the few-channel forward kernel (16 columns a thread).
  convCase(
    'fewc: conv 7x7 s2 pad 3, Cin 3, Cout 16, 13x11, b2 (RGB stem)',
    [2, 13, 11, 3],
    [7, 7, 3, 16],
    2,
    3,
  ),
  convCase(
    'fewc: fused conv 3x3 s1 same + bias + relu, Cin 1, Cout 32, 9x7, b1 (grayscale)',
    [1, 9, 7, 1],
    [3, 3, 1, 32],
    1,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase(
    'fewc: conv 3x3 dilation 2 valid, Cin 2, Cout 48, 10x9, b3 (forward)',
    [3, 10, 9, 2],
    [3, 3, 2, 48],
    1,
    'valid',
    { dilation: 2, grads: false },
  ),
  convCase('conv 3x3 s2 valid, Cin 6, Cout 5, 11x10, b1', [1, 11, 10, 6], [3, 3, 6, 5], 2, 'valid'),
  convCase('conv 1x1 s2 same, Cin 3, Cout 6, 7x8, b2', [2, 7, 8, 3], [1, 1, 3, 6], 2, 'same'),
  convCase('conv 1x1 s1 valid, Cin 6, Cout 3, 5x5, b1', [1, 5, 5, 6], [1, 1, 6, 3], 1, 'valid'),
  convCase('conv 7x7 s1 same, Cin 5, Cout 4, 8x9, b1', [1, 8, 9, 5], [7, 7, 5, 4], 1, 'same'),
  convCase(
    'conv 3x3 s2 explicit [0,1]x[2,1], Cin 5, Cout 6, 8x9, b1',
    [1, 8, 9, 5],
    [3, 3, 5, 6],
    2,
    [
      [0, 0],
      [0, 1],
      [2, 1],
      [0, 0],
    ],
  ),
  convCase(
    'conv 2x2 s2 valid, Cin 3, Cout 3, 6x7, b1 (a phase with no taps)',
    [1, 6, 7, 3],
    [2, 2, 3, 3],
    2,
    'valid',
  ),
  convCase('conv 3x3 s2 same, Cin 8, Cout 12, 10x9, b1', [1, 10, 9, 8], [3, 3, 8, 12], 2, 'same'),
  convCase('conv 1x1 s1 valid, Cin 16, Cout 8, 7x7, b2', [2, 7, 7, 16], [1, 1, 16, 8], 1, 'valid'),
  convCase(
    'conv 1x1 s2 valid, Cin 8, Cout 12, 9x9, b2 (downsample)',
    [2, 9, 9, 8],
    [1, 1, 8, 12],
    2,
    'valid',
  ),
  convCase(
    'conv 7x7 s2 pad 3, Cin 4, Cout 8, 13x11, b1 (stem)',
    [1, 13, 11, 4],
    [7, 7, 4, 8],
    2,
    3,
  ),
  convCase(
    'conv 3x3 s2 explicit [1,2]x[2,0], Cin 4, Cout 4, 9x8, b2',
    [2, 9, 8, 4],
    [3, 3, 4, 4],
    2,
    [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  ),
  convCase('conv 3x3 s1 same, Cin 32, Cout 64, 6x6, b2', [2, 6, 6, 32], [3, 3, 32, 64], 1, 'same'),
  convCase(
    'conv 3x3 dilation 2 same, Cin 4, Cout 8 (forward)',
    [1, 9, 9, 4],
    [3, 3, 4, 8],
    1,
    'same',
    { dilation: 2, grads: false },
  ),
  // The 4x8-tile backprop-filter variant: Cout not a multiple of 4, a multiple of 4 but not 8
  // (the second column half past N), and a strided layer.
  convCase(
    'wgrad 4x8: conv 3x3 s1 same, Cin 5, Cout 7, 9x11, b2',
    [2, 9, 11, 5],
    [3, 3, 5, 7],
    1,
    'same',
    {
      variant: 'reg4x8-wg8x8',
    },
  ),
  convCase(
    'wgrad 4x8: conv 3x3 s2 same, Cin 8, Cout 12, 10x9, b1',
    [1, 10, 9, 8],
    [3, 3, 8, 12],
    2,
    'same',
    {
      variant: 'reg4x8-wg16x4',
    },
  ),
  convCase(
    'wgrad 4x8: conv 1x1 s1 valid, Cin 16, Cout 24, 5x5, b2',
    [2, 5, 5, 16],
    [1, 1, 16, 24],
    1,
    'valid',
    {
      variant: 'reg4x8-wg4x16',
    },
  ),
  // The 4x8-tile variants on every conv kernel at once (the forced variant applies to all three):
  // backprop-input strided (per phase) with Cin 12 (the second column half past N), and with
  // Cin 7 / Cout 5 (scalar loads and stores).
  convCase(
    'all 4x8: conv 3x3 s2 same, Cin 12, Cout 8, 9x10, b2',
    [2, 9, 10, 12],
    [3, 3, 12, 8],
    2,
    'same',
    {
      variant: 'reg4x8-wg8x8',
    },
  ),
  convCase(
    'all 4x8: conv 3x3 s1 valid, Cin 7, Cout 5, 7x8, b1',
    [1, 7, 8, 7],
    [3, 3, 7, 5],
    1,
    'valid',
    {
      variant: 'reg4x8-wg4x16',
    },
  ),
  // The 4x8-tile forward variant: Cout a multiple of 4 but not 8, Cin not a multiple of 4, and
  // fused bias + activation on the second column half.
  convCase(
    'fwd 4x8: conv 3x3 s1 same, Cin 5, Cout 12, 9x11, b2',
    [2, 9, 11, 5],
    [3, 3, 5, 12],
    1,
    'same',
    {
      variant: 'reg4x8-wg8x8',
      grads: false,
    },
  ),
  convCase(
    'fwd 4x8: conv 3x3 s2 same + bias + elu, Cin 8, Cout 24, 10x9, b1',
    [1, 10, 9, 8],
    [3, 3, 8, 24],
    2,
    'same',
    {
      variant: 'reg4x8-wg16x4',
      bias: true,
      activation: 'elu',
      grads: false,
    },
  ),
  convCase(
    'fused conv 3x3 s2 same + bias + relu, Cin 8, Cout 16',
    [1, 9, 9, 8],
    [3, 3, 8, 16],
    2,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase(
    'fused conv 3x3 s1 same + bias + relu, Cin 3, Cout 5',
    [1, 7, 6, 3],
    [3, 3, 3, 5],
    1,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase('fused conv 1x1 + bias + elu (forward)', [1, 5, 5, 4], [1, 1, 4, 8], 1, 'valid', {
    bias: true,
    activation: 'elu',
    grads: false,
  }),
  convCase('fused conv 3x3 + leakyrelu (forward)', [1, 6, 5, 4], [3, 3, 4, 8], 1, 'same', {
    activation: 'leakyrelu',
    grads: false,
  }),
  maxPoolCase('maxPool 3x3 s2 pad 1, C 8, 9x10, b2 (ResNet stem pool)', [2, 9, 10, 8], 3, 2, 1),
  maxPoolCase('maxPool 2x2 s2 valid, C 4, 7x5, b1 (odd edge)', [1, 7, 5, 4], 2, 2, 'valid'),
  maxPoolCase('maxPool 3x3 s1 same, C 12, 5x6, b1 (overlapping)', [1, 5, 6, 12], 3, 1, 'same'),
  maxPoolCase('maxPool 3x3 s3 valid, C 16, 3x4, b3 (one window)', [3, 3, 4, 16], 3, 3, 'valid'),
  maxPoolCase('maxPool 3x3 s2 same, C 6 (stock fallback)', [1, 7, 7, 6], 3, 2, 'same'),
  binaryCase('add, same shape 3x5x8', [3, 5, 8], [3, 5, 8], 'add'),
  binaryCase('sub, scalar right 6x4', [6, 4], [], 'sub'),
  binaryCase('mul, scalar left 2x3x4', [], [2, 3, 4], 'mul'),
  binaryCase('mul, broadcast row (stock fallback) 5x8 · 8', [5, 8], [8], 'mul'),
  binaryCase('add, odd size (stock fallback) 3x5', [3, 5], [3, 5], 'add'),
  matMulCase('matmul 13x17 · 17x9', [13, 17], [17, 9], false, false),
  matMulCase('matmul ᵀA 17x13 · 17x9', [17, 13], [17, 9], true, false),
  matMulCase('matmul ᵀB 13x17 · 9x17', [13, 17], [9, 17], false, true),
  matMulCase('matmul ᵀAᵀB 17x13 · 9x17', [17, 13], [9, 17], true, true),
  matMulCase('batch matmul 3x5x8 · 3x8x12', [3, 5, 8], [3, 8, 12], false, false),
  // 4x8 tiles (the gradients run both the wide path, Aᵀ·dy, and the 4-column fallback, dy·Bᵀ).
  matMulCase(
    '4x8: matmul 13x17 · 17x12',
    [13, 17],
    [17, 12],
    false,
    false,
    undefined,
    true,
    'reg4x8-wg8x8',
  ),
  matMulCase(
    '4x8: matmul ᵀA 16x9 · 16x20',
    [16, 9],
    [16, 20],
    true,
    false,
    undefined,
    true,
    'reg4x8-wg16x4',
  ),
  matMulCase(
    '4x8: fused matmul 6x8 · 8x24 + bias + relu',
    [6, 8],
    [8, 24],
    false,
    false,
    { bias: [24], activation: 'relu' },
    true,
    'reg4x8-wg4x16',
  ),
  // NOTE: forward only: tfjs 4.22's BatchMatMul gradient does not reduce broadcast batch dims.
  matMulCase(
    'broadcast matmul 3x6x8 · 1x8x12 (forward)',
    [3, 6, 8],
    [1, 8, 12],
    false,
    false,
    undefined,
    false,
  ),
  matMulCase('matmul 64x96 · 96x128', [64, 96], [96, 128], false, false),
  matMulCase('fused matmul 13x17 · 17x9 + bias + relu', [13, 17], [17, 9], false, false, {
    bias: [9],
    activation: 'relu',
  }),
  matMulCase('fused matmul ᵀB 8x16 · 12x16 + bias', [8, 16], [12, 16], false, true, {
    bias: [12],
    activation: 'linear',
  }),
  matMulCase('fused matmul ᵀA 7x5 · 7x6 + bias + relu', [7, 5], [7, 6], true, false, {
    bias: [6],
    activation: 'relu',
  }),
  matMulCase('fused matmul ᵀAᵀB 9x3 · 5x9 + bias + relu', [9, 3], [5, 9], true, true, {
    bias: [5],
    activation: 'relu',
  }),
];

function randomData(shapes: number[][], seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  return shapes.map((s) =>
    Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1),
  );
}

async function runCase(c: Case, data: Float32Array[]): Promise<Float32Array[]> {
  const inputs = c.shapes.map((s, i) => tf.tensor(data[i], s));
  const outs = tf.tidy(() => c.run(inputs));
  const arrays = await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
  tf.dispose([...inputs, ...outs]);
  return arrays;
}

function maxRelError(a: Float32Array[], b: Float32Array[]): number {
  let worst = a.length === b.length ? 0 : Infinity;
  a.forEach((arr, k) => {
    if (!b[k] || arr.length !== b[k].length) worst = Infinity;
    else
      for (let i = 0; i < arr.length; i++) {
        const e = Math.abs(arr[i] - b[k][i]) / Math.max(1, Math.abs(b[k][i]));
        if (!(e <= worst)) worst = e; // NaN counts as worst
      }
  });
  return worst;
}

/**
 * The harness of every kernel check: runs each case on webgpu with the Studio kernels, then with
 * stock tfjs-webgpu, then on the CPU backend; collects GPU errors and leaked tensors; restores the
 * backend and the kernel switch. `beforeOurs` may refuse a case before its Studio run.
 */
export async function compareBackends<C extends { name: string }, D>(
  cases: C[],
  data: D[],
  run: (c: C, d: D) => Promise<Float32Array[]>,
  beforeOurs: (c: C) => void = () => {},
): Promise<KernelCheckResult> {
  const t0 = performance.now();
  const backend = tf.getBackend();
  const wasOn = studioKernelsEnabled();
  const ours: Float32Array[][] = [];
  const stock: Float32Array[][] = [];
  const cpu: Float32Array[][] = [];
  const gpuErrors: string[] = [];
  const onError = (e: Event) => gpuErrors.push((e as GPUUncapturedErrorEvent).error.message);
  await tf.setBackend('webgpu');
  const before = tf.memory().numTensors;
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.addEventListener('uncapturederror', onError);
  try {
    setStudioKernels(true);
    for (const [i, c] of cases.entries()) {
      beforeOurs(c);
      ours.push(await run(c, data[i]));
    }
    setStudioKernels(false);
    for (const [i, c] of cases.entries()) stock.push(await run(c, data[i]));
    await tf.setBackend('cpu');
    for (const [i, c] of cases.entries()) cpu.push(await run(c, data[i]));
  } finally {
    device.removeEventListener('uncapturederror', onError);
    await tf.setBackend(backend);
    setStudioKernels(wasOn);
  }
  return {
    cases: cases.map((c, i) => ({
      name: c.name,
      maxRelErrorVsCpu: maxRelError(ours[i], cpu[i]),
      maxRelErrorVsStock: maxRelError(ours[i], stock[i]),
    })),
    gpuErrors,
    leakedTensors: tf.memory().numTensors - before,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Runs every case on webgpu (ours, then stock) and on the CPU backend; restores the state. */
export async function kernelCheck(seed = 1, only?: string): Promise<KernelCheckResult> {
  const cases = CHECK_CASES.filter((c) => !only || c.name.includes(only));
  const data = cases.map((c, i) => randomData(c.shapes, seed * 1000 + i));
  const r = await compareBackends(cases, data, runCase);
  return { ...r, wideVariantCalls: { ...wideVariantCalls }, kernelCalls: studioKernelCalls() };
}
