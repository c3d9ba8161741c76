// bench-recipe outside the browser: the CLI flags reach the worker as BenchRecipeArgs, the worker
// refuses bad ones by name, and the report's table shows every step and the ratios.
import { describe, expect, it, vi } from 'vitest';
import type { BenchRecipeResult, RecipeStepRow } from '../../src/shared/protocol';

vi.mock('../../src/page/store/client', async () => (await import('./fakeWorker')).clientMock());
const { calls, replies } = await import('./fakeWorker');
const { engineCommands } = await import('../../src/page/cli/engines');
const { checkRecipeArgs } = await import('../../src/worker/diagnostics/benchRecipe');
const { recipeTable } = await import('../../scripts/recipeTable');

describe('bench-recipe flags', () => {
  const sent = async (flags: Record<string, string | boolean>) => {
    replies.info = () => ({ adapter: {}, backend: 'webgpu' });
    replies.benchRecipe = (a) => a;
    return (await engineCommands['bench-recipe'](flags)) as Record<string, unknown>;
  };

  it('defaults to 128 and 224 px, bs 16, no reference engines', async () => {
    expect(await sent({})).toEqual({
      sizes: [128, 224],
      bs: 16,
      ref: [],
      refSizes: undefined,
      quick: false,
    });
    expect(calls.at(-1)!.name).toBe('benchRecipe');
  });

  it('reads comma lists', async () => {
    expect(await sent({ sizes: '32', bs: '2', ref: 'webgpu,webgl', 'ref-sizes': '64' })).toEqual({
      sizes: [32],
      bs: 2,
      ref: ['webgpu', 'webgl'],
      refSizes: [64],
      quick: false,
    });
  });
});

describe('checkRecipeArgs', () => {
  const ok = { sizes: [128], bs: 16, ref: [] as string[] };
  it('names the flag and the reason', () => {
    expect(() => checkRecipeArgs(ok)).not.toThrow();
    expect(() => checkRecipeArgs({ ...ok, sizes: [16] })).toThrow(/size 16.*at least 32/);
    expect(() => checkRecipeArgs({ ...ok, sizes: [Number('x')] })).toThrow(/size NaN/);
    expect(() => checkRecipeArgs({ ...ok, sizes: [] })).toThrow(/--sizes lists no size/);
    expect(() => checkRecipeArgs({ ...ok, bs: 0 })).toThrow(/--bs 0/);
    expect(() => checkRecipeArgs({ ...ok, ref: ['cuda'] })).toThrow(/--ref cuda.*webgpu, webgl/);
  });
});

describe('recipeTable', () => {
  const row = (o: Partial<RecipeStepRow>): RecipeStepRow => ({
    phase: 'unfrozen',
    size: 128,
    bs: 16,
    engine: 'webgpu',
    wallMs: 1000,
    gpuMs: 800,
    syncs: 1,
    syncMs: 700,
    jsMs: 300,
    dispatches: 900,
    flops: 2e9,
    gflops: 2,
    ofBestMatmul: 0.5,
    ...o,
  });
  const report: BenchRecipeResult = {
    sizes: [128],
    bs: 16,
    ref: ['webgl'],
    adapter: 'google swiftshader',
    matmulBestGflops: 4,
    referenceBestGflops: 3.5,
    gpuTimed: true,
    steps: [
      row({
        families: [{ kernel: 'Conv2D', calls: 53, kernelMs: 500, flops: 1e9 }],
        shapes: [{ kernel: 'Conv2D 16x4x4x512', dims: 'M256 N512 K4608', calls: 3, kernelMs: 100, flops: 2e8 }], // prettier-ignore
      }),
      row({
        engine: 'webgl',
        wallMs: 4000,
        gpuMs: null,
        syncs: null,
        syncMs: null,
        jsMs: null,
        dispatches: null,
      }),
    ],
    precompute: [{ size: 128, engine: 'wasm', reason: 'timed', webgpuOverChosen: 4.8 }],
    errors: ['webgpu at 128 px: out of memory'],
    seconds: 60,
  };
  const t = recipeTable(report);

  it('has a row per step with GFLOP/s, the share of the best matmul and the engine ratio', () => {
    expect(t).toContain(
      '| unfrozen | 128 | webgpu | 1000 | 800 | 1 (700) | 300 | 900 | 2.0 | 2.00 | 50 % |  |',
    );
    expect(t).toContain(
      '| unfrozen | 128 | webgl | 4000 | — | — | — | — | 2.0 | 2.00 | 50 % | 4.0x |',
    );
    expect(t).toContain('Best matmul 4.00 GFLOP/s');
  });

  it('lists kernel families and shapes with their dims and GFLOP/s, the engine choice and errors', () => {
    expect(t).toContain('unfrozen 128 px: Conv2D 500 ms (53).');
    expect(t).toContain('| Conv2D 16x4x4x512 | M256 N512 K4608 | 3 | 100 | 2.00 |');
    expect(t).toContain('Precompute at 128 px runs on wasm (timed): 4.8x faster than webgpu.');
    expect(t).toContain('- webgpu at 128 px: out of memory');
  });
});
