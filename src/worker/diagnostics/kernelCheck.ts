// Correctness check for the Studio kernels, run in the worker on the real adapter: every
// overridden op and its gradients (tf.grads, so tfjs autodiff picks the backprop kernels) on
// randomized awkward shapes, compared with tfjs's CPU backend, and with the stock webgpu
// kernels (switch off) to show the switch changes nothing beyond float tolerance.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/random';
import {
  setStudioKernels,
  studioAutotuner,
  studioKernelCalls,
  studioKernelsEnabled,
} from '../../engine/kernels/register';
import type { Case } from './kernelCheckCase';
import { CHECK_CASES } from './kernelCheckCases';
import type { KernelCheckResult } from '../../shared/protocol';

export function randomData(shapes: number[][], seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  return shapes.map((s) =>
    Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1),
  );
}

export async function runCase(c: Case, data: Float32Array[]): Promise<Float32Array[]> {
  const inputs = c.shapes.map((s, i) => tf.tensor(data[i], s));
  let outs: tf.Tensor[] = [];
  try {
    outs = tf.tidy(() => c.run(inputs));
    return await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
  } finally {
    tf.dispose([...inputs, ...outs]); // a case that throws (the self-test keeps going) leaks nothing
  }
}

export function maxRelError(a: Float32Array[], b: Float32Array[]): number {
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
  // The ResNet50 cases are big enough to queue shape classes for tuning: timing variants in the
  // background would slow the check and hold tensors past its leak count. Forced variants still run.
  const tuner = studioAutotuner();
  const tuning = tuner.isEnabled();
  tuner.setEnabled(false);
  let r: KernelCheckResult;
  try {
    r = await compareBackends(cases, data, runCase);
  } finally {
    tuner.setEnabled(tuning);
  }
  return {
    ...r,
    wideVariantCalls: { ...studioAutotuner().wideVariantCalls },
    kernelCalls: studioKernelCalls(),
  };
}
