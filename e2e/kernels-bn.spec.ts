// The fused batch-norm kernels (src/engine/kernels/batchnorm.ts) in a real browser on real
// WebGPU: training-mode BN with the fused residual add and ReLU, its gradients and the
// running-statistics update match tfjs's CPU backend (and the stock webgpu ops) within 1e-4.
import type { KernelCheckResult } from '../src/shared/protocol';
import { expect, runInPage, test } from './fixtures';

test('fused batch-norm (+ residual + ReLU) kernels and gradients match the CPU backend', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto('/');
  const r = await runInPage<KernelCheckResult>(page, 'kernel-check-bn', { seed: 5 });
  expect(r.gpuErrors).toEqual([]);
  expect(r.cases.length).toBeGreaterThanOrEqual(8);
  for (const c of r.cases) {
    expect(c.maxRelErrorVsCpu, `${c.name} vs cpu`).toBeLessThan(1e-4);
    expect(c.maxRelErrorVsStock, `${c.name} vs stock webgpu`).toBeLessThan(1e-4);
  }
  expect(r.leakedTensors).toBe(0);
});
