// The kernel self-test's run: a small subset of the kernel checks (kernelCheck.ts,
// kernelCheckBn.ts), a few awkward shapes per Studio kernel, on webgpu with our kernels and on
// the tfjs CPU backend. Each checked output is credited to the kernel that made it, so one bad
// backward kernel is routed to stock without its forward. Small on purpose: it runs at first
// start on every adapter (shader compiles dominate on SwiftShader).
import * as tf from '@tensorflow/tfjs';
import {
  BN_KERNEL,
  setStudioKernels,
  STUDIO_KERNEL_LIST,
  studioKernelsEnabled,
} from '../../engine/kernels/register';
import {
  failedKernels,
  type SelfTestOutput,
  uncheckedKernels,
} from '../../engine/kernels/selfTestVerdict';
import type { SelfTestVerdict } from '../../shared/protocol';
import { maxRelError, randomData, runCase } from './kernelCheck';
import { binaryCase, convCase, matMulCase, maxPoolCase } from './kernelCheckCase';
import { type BnCase, caseData, runBnCase } from './kernelCheckBn';

interface Probe {
  name: string;
  /** The kernel that made each output, in the case's output order (null: not one of ours). */
  kernels: (string | null)[];
  data: (seed: number) => Float32Array[];
  run: (data: Float32Array[]) => Promise<Float32Array[]>;
}

const CONV_GRADS = [tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter];
const MM_GRADS = [tf.BatchMatMul, tf.BatchMatMul];

const probe = (c: ReturnType<typeof convCase>, kernels: (string | null)[]): Probe => ({
  name: c.name,
  kernels,
  data: (seed) => randomData(c.shapes, seed),
  run: (d) => runCase(c, d),
});
const bnProbe = (c: BnCase): Probe => ({
  name: c.name,
  // y, dx, dgamma, dbeta (, dresidual), running mean, running var
  kernels: Array<string>(c.post.startsWith('residual') ? 7 : 6).fill(BN_KERNEL),
  data: (seed) => caseData(c, seed),
  run: (d) => runBnCase(c, d),
});

/**
 * Awkward shapes per kernel family (two for the GEMMs), in the variants training runs (channels a multiple of 4
 * but an odd Cout and odd sizes, stride 2 with uneven phases, the few-channel stem): every
 * distinct program is a shader compile (~0.1-0.3 s on SwiftShader; training reuses them), so
 * the fused variants run forward only (their gradients are the plain kernels').
 */
export const SELF_TEST_PROBES: Probe[] = [
  probe(
    convCase('conv 3x3 s2 same, Cin 8, Cout 12, 9x11, b2', [2, 9, 11, 8], [3, 3, 8, 12], 2, 'same'),
    [tf.Conv2D, ...CONV_GRADS],
  ),
  probe(
    convCase(
      'fused conv 7x7 s2 pad 3 + bias + relu, Cin 3, Cout 16, 13x11 (stem)',
      [1, 13, 11, 3],
      [7, 7, 3, 16],
      2,
      3,
      {
        bias: true,
        activation: 'relu',
        grads: false,
      },
    ),
    [tf.FusedConv2D],
  ),
  // A second shape for the GEMM families, on programs the first ones compiled: ResNet50's
  // stride-2 1x1 downsample, and a matmul with both operands transposed.
  probe(
    convCase('conv 1x1 s2 valid, Cin 8, Cout 4, 7x9, b2', [2, 7, 9, 8], [1, 1, 8, 4], 2, 'valid'),
    [tf.Conv2D, ...CONV_GRADS],
  ),
  probe(matMulCase('matmul 7x12 · 12x9', [7, 12], [12, 9], false, false), [
    tf.BatchMatMul,
    ...MM_GRADS,
  ]),
  probe(matMulCase('matmul (12x5)ᵀ · (6x12)ᵀ', [12, 5], [6, 12], true, true), [
    tf.BatchMatMul,
    ...MM_GRADS,
  ]),
  probe(
    matMulCase(
      'fused matmul + bias + relu 5x12 · 12x10',
      [5, 12],
      [12, 10],
      false,
      false,
      {
        bias: [10],
        activation: 'relu',
      },
      false,
    ),
    [tf._FusedMatMul],
  ),
  probe(binaryCase('add 3x10', [3, 10], [3, 10], 'add'), [tf.Add, null, null]),
  probe(binaryCase('sub 6x5 - scalar', [6, 5], [], 'sub'), [tf.Sub, null, null]),
  probe(binaryCase('mul 5x8', [5, 8], [5, 8], 'mul'), [tf.Multiply, tf.Multiply, tf.Multiply]),
  probe(maxPoolCase('max pool 3x3 s2 same, 7x7x4', [1, 7, 7, 4], 3, 2, 'same'), [
    null,
    tf.MaxPoolGrad,
  ]),
  bnProbe({ name: 'bn train + relu 2x3x5x8', shape: [2, 3, 5, 8], post: 'relu' }),
];

/** Each probe's outputs on `run`; a probe that throws gets no outputs (counted as a failure). */
async function runAll(data: Float32Array[][]): Promise<(Float32Array[] | Error)[]> {
  const outs: (Float32Array[] | Error)[] = [];
  for (const [i, p] of SELF_TEST_PROBES.entries()) {
    outs.push(
      await p.run(data[i]).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
    );
  }
  return outs;
}

/** Runs every probe with the Studio kernels on webgpu, then on the CPU backend; compares.
 * Restores the backend and the kernel switch. */
export async function runSelfTest(seed = 1): Promise<SelfTestVerdict> {
  const t0 = performance.now();
  const data = SELF_TEST_PROBES.map((p, i) => p.data(seed * 1000 + i));
  const backend = tf.getBackend();
  const wasOn = studioKernelsEnabled();
  let ours: (Float32Array[] | Error)[], cpu: (Float32Array[] | Error)[];
  try {
    await tf.setBackend('webgpu');
    setStudioKernels(true);
    ours = await runAll(data);
    await tf.setBackend('cpu');
    cpu = await runAll(data);
  } finally {
    await tf.setBackend(backend);
    setStudioKernels(wasOn);
  }
  const outputs: SelfTestOutput[] = SELF_TEST_PROBES.flatMap((p, i) =>
    p.kernels.map((kernel, k) => {
      const [a, b] = [ours[i], cpu[i]];
      const err = a instanceof Error || b instanceof Error ? Infinity : maxRelError([a[k]], [b[k]]);
      return { kernel, case: p.name, maxRelError: err };
    }),
  );
  const unchecked = uncheckedKernels(outputs, STUDIO_KERNEL_LIST);
  if (unchecked.length) throw new Error(`the self-test checks no ${unchecked.join(', ')}`);
  return {
    failed: failedKernels(outputs, STUDIO_KERNEL_LIST),
    kernels: [...STUDIO_KERNEL_LIST],
    ms: Math.round(performance.now() - t0),
  };
}
