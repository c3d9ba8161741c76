// The Learner in the worker on real WebGPU: lr_find leaves everything bit-identical,
// fit_one_cycle fills the epoch table with a falling loss, and epochs leak no tensors.
// One page for all steps: the worker's shader pipelines compile once (~25 s on SwiftShader).
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import type { StepParityResult } from '../src/shared/protocol';
import { torchAvailable } from '../tests/models/torchRef';
import {
  describeParity,
  makeFineTuneReference,
  PARITY_FILES,
  parityProblems,
} from '../tests/learn/stepParityRef';
import { expect, runInPage, test } from './fixtures';

interface Row {
  epoch: number;
  trainLoss: number;
  validLoss: number;
  metrics: Record<string, number>;
}
interface State {
  weightsHash: string;
  optHash: string;
  numTensors: number;
}

test('Learner: lr_find restores bit-exactly, fit_one_cycle learns, epochs leak no tensors', async ({
  page,
}) => {
  await page.goto('/');

  await test.step('lr_find leaves weights, BN stats and Adam state bit-identical', async () => {
    await runInPage(page, 'learn-setup', {
      size: 16,
      bs: 8,
      'n-train': 4,
      'n-valid': 1,
      seed: 2,
    });
    await runInPage(page, 'fit', { epochs: 1, lr: 1e-2 }); // so there is optimizer state to keep
    const before = await runInPage<State>(page, 'learn-state');
    expect(before.optHash).not.toBe('');
    const r = await runInPage<{ lrs: number[]; losses: number[]; suggestion: number }>(
      page,
      'lr-find',
      { 'num-it': 30 },
    );
    expect(r.lrs[0]).toBeCloseTo(1e-7, 12);
    expect(r.lrs.length).toBeGreaterThan(10);
    expect(r.suggestion).toBeGreaterThan(1e-7);
    expect(await runInPage<State>(page, 'learn-state')).toEqual(before);
    // A plain fit afterwards does change the hash: the fingerprint is sensitive.
    await runInPage(page, 'fit', { epochs: 1, lr: 1e-2, policy: 'fit' });
    expect((await runInPage<State>(page, 'learn-state')).weightsHash).not.toBe(before.weightsHash);
  });

  await test.step('fit_one_cycle for 2 epochs: a 2-row epoch table with falling loss, live in the store', async () => {
    await runInPage(page, 'learn-setup', { size: 16, bs: 8, 'n-train': 12, 'n-valid': 2, seed: 1 });
    const r = await runInPage<{ rows: Row[] }>(page, 'fit', { epochs: 2, lr: 3e-2 });
    expect(r.rows.map((x) => x.epoch)).toEqual([0, 1]);
    expect(r.rows[1].trainLoss).toBeLessThan(r.rows[0].trainLoss);
    expect(r.rows[1].validLoss).toBeLessThan(r.rows[0].validLoss);
    for (const row of r.rows)
      expect(Object.keys(row.metrics)).toEqual([
        'accuracy',
        'error_rate',
        'precision_score',
        'recall_score',
        'f1_score',
      ]);
    await expect.poll(() => page.evaluate(() => window.studioStore!().trainEpochs.length)).toBe(2);
    // Batch records reach the store in batched flushes: wait for the last one too.
    await expect
      .poll(() => page.evaluate(() => window.studioStore!().trainBatches.length))
      .toBe(24);
    const batches = await page.evaluate(() => window.studioStore!().trainBatches);
    const peak = batches.reduce((b, x, i) => (x.lr > batches[b].lr ? i : b), 0);
    expect(peak).toBe(6); // warm-up is pct_start .25 of 24 iterations
    expect(batches[peak].lr).toBeCloseTo(3e-2, 9);
    expect(batches[peak].mom).toBeCloseTo(0.85, 9);
  });

  await test.step('twenty tiny epochs leave tf.memory().numTensors unchanged between epochs', async () => {
    await runInPage(page, 'learn-setup', { size: 8, bs: 4, 'n-train': 2, 'n-valid': 1, seed: 3 });
    await runInPage(page, 'fit', { epochs: 20, lr: 1e-2, 'save-best': true, mixup: true });
    await expect.poll(() => page.evaluate(() => window.studioStore!().trainEpochs.length)).toBe(20);
    const counts = await page.evaluate(() =>
      window.studioStore!().trainEpochs.map((e) => e.numTensors),
    );
    expect(new Set(counts).size).toBe(1);
  });
});

// fine_tune against the PyTorch referee batch by batch (src/worker/diagnostics/stepParity.ts), here on WebGPU
// with the Studio kernels: the whole recipe and every kernel under it (conv forward and both
// backward passes, fused BN training, pools) must train as PyTorch does.
test.describe('fine_tune vs the PyTorch referee on WebGPU', () => {
  const skip = torchAvailable();
  test.skip(!!skip, skip ?? '');
  let dir = '';
  test.beforeAll(() => {
    dir = makeFineTuneReference('resnet18');
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every loss, LR and epoch row, and the final weights, match', async ({ page }) => {
    await page.goto('/');
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), {
        type: 'file',
        id: 'parity-e2e',
        multiple: true,
        hidden: true,
      });
      document.body.append(input);
    });
    await page.setInputFiles(
      '#parity-e2e',
      PARITY_FILES.map((f) => join(dir, f)),
    );
    const r = await runInPage<StepParityResult>(page, 'learner-parity', { input: '#parity-e2e' });
    const note = describeParity(r);
    console.log(note);
    test.info().annotations.push({ type: 'parity', description: note });
    expect(parityProblems(r)).toEqual([]);
  });
});
