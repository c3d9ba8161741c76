// What one recipe step costs beyond its wall time (bench-recipe): dispatches and GPU->CPU
// readbacks counted on the live webgpu backend, and tf.profile's kernel times grouped by kernel
// family and by shape, with the conv/matmul dims and FLOPs of each shape (recipeFlops.ts).
import * as tf from '@tensorflow/tfjs';
import { gemmOf } from './recipeFlops';
import type { RecipeKernelRow } from '../../shared/protocol';

export interface StepCounts {
  wallMs: number;
  dispatches: number;
  syncs: number;
  /** ms the JS thread spent awaiting (or blocked in) readbacks. */
  syncMs: number;
}

type Backend = Record<string, unknown>;

/**
 * Runs `step` once with the webgpu backend's dispatch and readback entry points wrapped: every
 * program goes through runWebGPUProgram (ours and stock), every GPU->CPU copy through
 * getBufferData (data()) or readSync (dataSync()). The wrappers are own properties shadowing the
 * prototype's, deleted after, error or not.
 */
export async function countStep(step: () => Promise<void>): Promise<StepCounts> {
  const b = tf.backend() as unknown as Backend;
  const c = { dispatches: 0, syncs: 0, syncMs: 0 };
  const wrap = (name: string, f: (orig: (...a: unknown[]) => unknown) => unknown) => {
    const orig = (b[name] as (...a: unknown[]) => unknown).bind(b);
    b[name] = f(orig);
  };
  wrap(
    'runWebGPUProgram',
    (orig) =>
      (...a: unknown[]) => (c.dispatches++, orig(...a)),
  );
  wrap('getBufferData', (orig) => async (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return await orig(...a);
    } finally {
      c.syncs++;
      c.syncMs += performance.now() - t0;
    }
  });
  wrap('readSync', (orig) => (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return orig(...a);
    } finally {
      c.syncs++;
      c.syncMs += performance.now() - t0;
    }
  });
  const t0 = performance.now();
  try {
    await step();
    return { wallMs: performance.now() - t0, ...c };
  } finally {
    for (const name of ['runWebGPUProgram', 'getBufferData', 'readSync']) delete b[name];
  }
}

export interface StepProfile {
  gpuMs: number;
  families: RecipeKernelRow[];
  shapes: RecipeKernelRow[];
}

/** tf.profile of one step: kernel ms (0 without timestamp queries) by family and by shape. */
export async function profileRecipeStep(step: () => Promise<void>, top = 15): Promise<StepProfile> {
  const info = await tf.profile(step);
  const group = (key: (k: (typeof info.kernels)[number]) => string, withDims: boolean) => {
    const by = new Map<string, RecipeKernelRow>();
    for (const k of info.kernels) {
      const r = by.get(key(k)) ?? { kernel: key(k), calls: 0, kernelMs: 0 };
      r.calls++;
      r.kernelMs += Number(k.kernelTimeMs) || 0;
      const g = gemmOf(k.name, k.inputShapes, k.outputShapes[0]);
      if (g) r.flops = (r.flops ?? 0) + g.flops;
      if (g && withDims) r.dims = g.dims;
      by.set(key(k), r);
    }
    // Without GPU times the costliest shapes are the ones with the most FLOPs.
    return [...by.values()].sort(
      (a, b) => b.kernelMs - a.kernelMs || (b.flops ?? 0) - (a.flops ?? 0) || b.calls - a.calls,
    );
  };
  const families = group((k) => k.name, false);
  const shapes = group(
    (k) =>
      `${k.name} ${k.inputShapes.map((s) => (!s ? '-' : s.length ? s.join('x') : 'scalar')).join(' ')}`,
    true,
  ).slice(0, top);
  return { gpuMs: families.reduce((a, r) => a + r.kernelMs, 0), families, shapes };
}
