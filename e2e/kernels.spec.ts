// The Studio WGSL kernels in a real browser on real WebGPU: every overridden op and its
// gradients match tfjs's CPU backend, and switching back to the stock kernels changes
// nothing beyond float tolerance. Shapes are tiny: this is about correctness, not speed.
import type { KernelCheckResult } from '../src/shared/protocol';
import { expect, runInPage, test } from './fixtures';

test('Studio conv/matmul kernels and their gradients match the CPU backend and stock webgpu', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto('/');
  const r = await runInPage<KernelCheckResult>(page, 'kernel-check', { seed: 3 });
  expect(r.gpuErrors).toEqual([]);
  expect(r.cases.length).toBeGreaterThanOrEqual(20);
  for (const c of r.cases) {
    expect(c.maxRelErrorVsCpu, `${c.name} vs cpu`).toBeLessThan(1e-4);
    expect(c.maxRelErrorVsStock, `${c.name} vs stock webgpu`).toBeLessThan(1e-4);
  }
  expect(r.leakedTensors).toBe(0);
  // The elementwise and max-pool cases ran our programs (and the broadcast / odd-size / C 6 ones
  // fell back).
  for (const k of ['Add', 'Sub', 'Multiply', 'MaxPoolGrad']) {
    expect(r.kernelCalls?.[k]?.ours ?? 0, `${k} ours`).toBeGreaterThan(0);
    if (k !== 'Sub') expect(r.kernelCalls?.[k]?.stock ?? 0, `${k} stock`).toBeGreaterThan(0);
  }
  // The 4x8-tile cases really ran the wide programs of matmul and all three conv kernels.
  for (const v of ['reg4x8-wg8x8', 'reg4x8-wg16x4', 'reg4x8-wg4x16'])
    expect(r.wideVariantCalls?.[`Conv2DBackpropFilter:${v}`] ?? 0, v).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['Conv2D:reg4x8-wg8x8'] ?? 0).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['Conv2DBackpropInput:reg4x8-wg8x8'] ?? 0).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['Conv2DBackpropInput:reg4x8-wg4x16'] ?? 0).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['BatchMatMul:reg4x8-wg8x8'] ?? 0).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['_FusedMatMul:reg4x8-wg4x16'] ?? 0).toBeGreaterThan(0);
  expect(r.wideVariantCalls?.['FusedConv2D:reg4x8-wg16x4'] ?? 0).toBeGreaterThan(0);
});
