// The kernel self-test's pure parts: the verdict's cache key (per adapter and kernel build, next
// to the autotune choices), which kernels a run routes to stock, and that its probes credit an
// output to every Studio kernel (run here on tfjs-cpu: each probe yields one output per credit).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adapterKey,
  failedKernels,
  SELF_TEST_TOLERANCE,
  selfTestKey,
  uncheckedKernels,
} from '../../src/engine/kernels/selfTestVerdict';
import { HARDWARE, SWIFTSHADER } from './fakeAdapter';

// The probes force no autotune variant; without a GPU there is no tuner to tell.
vi.mock('../../src/engine/kernels/register', async (orig) => ({
  ...(await orig<typeof import('../../src/engine/kernels/register')>()),
  studioAutotuner: () => ({ force() {} }),
}));

const adapter = (a: object) =>
  ({ ...a, shaderF16: false, subgroups: false, features: [], limits: {} }) as never;

describe('self-test verdict key', () => {
  it('is per adapter and per kernel build, with the autotune cache’s adapter key', () => {
    const sw = selfTestKey(adapter(SWIFTSHADER), 'abc');
    expect(sw).toContain(adapterKey(adapter(SWIFTSHADER)));
    expect(sw).toBe(selfTestKey(adapter({ ...SWIFTSHADER }), 'abc'));
    expect(sw).not.toBe(selfTestKey(adapter(HARDWARE), 'abc'));
    expect(sw).not.toBe(selfTestKey(adapter(SWIFTSHADER), 'abd'));
    expect(selfTestKey(adapter({ ...HARDWARE, description: 'RTX 3060' }), 'abc')).not.toBe(
      selfTestKey(adapter({ ...HARDWARE, description: 'RTX 3090' }), 'abc'),
    );
    expect(selfTestKey(undefined, 'abc')).toContain('unknown');
  });
});

describe('routing list', () => {
  const K = ['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'StudioBatchNorm'];
  const out = (kernel: string | null, err: number, c = 'case') => ({
    kernel,
    case: c,
    maxRelError: err,
  });

  it('routes each kernel whose worst output is over the tolerance, in kernel order', () => {
    const outputs = [
      out('BatchMatMul', 0.9, 'mm'),
      out('Conv2D', 1e-6),
      out('Conv2DBackpropFilter', 1e-7, 'a'),
      out('Conv2DBackpropFilter', 1, 'b'),
      out('Conv2DBackpropFilter', 0.5, 'c'),
      out(null, 100), // a stock op's output is no kernel's fault
    ];
    expect(failedKernels(outputs, K)).toEqual([
      { kernel: 'Conv2DBackpropFilter', case: 'b', maxRelError: 1 },
      { kernel: 'BatchMatMul', case: 'mm', maxRelError: 0.9 },
    ]);
  });

  it('fails NaN and a probe that threw (Infinity); passes at the tolerance', () => {
    const outputs = [
      out('Conv2D', SELF_TEST_TOLERANCE),
      out('BatchMatMul', 1e-5),
      out('BatchMatMul', NaN, 'nan'),
      out('StudioBatchNorm', Infinity, 'threw'),
    ];
    expect(failedKernels(outputs, K).map((f) => [f.kernel, f.case])).toEqual([
      ['BatchMatMul', 'nan'],
      ['StudioBatchNorm', 'threw'],
    ]);
    expect(failedKernels([out('Conv2D', 2e-3)], K, 1e-2)).toEqual([]);
  });

  it('names the kernels no output checked', () => {
    expect(uncheckedKernels([out('Conv2D', 0), out(null, 0)], K)).toEqual([
      'Conv2DBackpropFilter',
      'BatchMatMul',
      'StudioBatchNorm',
    ]);
  });
});

describe('self-test probes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('credit every Studio kernel, one credit per output of each probe', async () => {
    const { SELF_TEST_PROBES } = await import('../../src/worker/diagnostics/selfTest');
    const { STUDIO_KERNEL_LIST } = await import('../../src/engine/kernels/register');
    const credited = SELF_TEST_PROBES.flatMap((p) => p.kernels);
    expect(STUDIO_KERNEL_LIST.filter((k) => !credited.includes(k))).toEqual([]);
    const before = tf.memory().numTensors;
    for (const [i, p] of SELF_TEST_PROBES.entries()) {
      const outs = await p.run(p.data(i));
      expect(outs.length, p.name).toBe(p.kernels.length);
      for (const o of outs) expect(o.every(Number.isFinite), p.name).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
