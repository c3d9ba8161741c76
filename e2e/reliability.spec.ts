// Faults during training, on real WebGPU (SwiftShader in CI): the GPU device destroyed mid-epoch
// and out-of-GPU-memory at a batch size. Both recover from the fit's CPU-side checkpoint
// (src/reliability/recovery.ts) and finish the run. Tiny net, demo data, the studio's WGSL kernels
// (registered again on the new device).
//
// "Continuous history" (asserted below): the fit returns one row per epoch, 0..n-1, once each;
// the per-batch records the UI holds are training iterations 1..N once each, in order (the
// batches after the last checkpoint that were trained on the lost device are dropped and
// trained again); the session history (src/learn/history.ts) has one record for the fit.
import { expect, runInPage, test } from './fixtures';

interface Row {
  epoch: number;
  trainLoss: number;
  validLoss: number;
}
interface FitResult {
  rows: Row[];
  stopped: boolean;
}
interface State {
  weightsHash: string;
  optHash: string;
  numTensors: number;
}

const SETUP = { size: 32, bs: 8, 'n-train': 4, 'n-valid': 1, seed: 4 };
const N_TRAIN = 4;

test('GPU device destroyed mid-epoch 2: new device, resume from the epoch-1 checkpoint, 3 epochs', async ({
  page,
}) => {
  await page.goto('/');
  await runInPage(page, 'learn-setup', SETUP);
  const logBefore = await page.evaluate(() => window.studioStore!().log.length);
  // Iteration 6 is the 2nd of 4 training batches of epoch 2 (iterations 5..8).
  await runInPage(page, 'debug-fault', { 'destroy-after-iter': 6 });
  const r = await runInPage<FitResult>(page, 'fit', { epochs: 3, lr: 1e-2 });

  expect(r.stopped).toBe(false);
  expect(r.rows.map((x) => x.epoch)).toEqual([0, 1, 2]);
  for (const row of r.rows) expect(Number.isFinite(row.trainLoss)).toBe(true);
  await expect
    .poll(() => page.evaluate(() => window.studioStore!().trainBatches.length))
    .toBe(3 * N_TRAIN);
  const iters = await page.evaluate(() => window.studioStore!().trainBatches.map((b) => b.iter));
  expect(iters).toEqual(Array.from({ length: 3 * N_TRAIN }, (_, i) => i + 1));
  // The last epoch's row follows its validation: poll until the store's batched events land.
  await expect
    .poll(() => page.evaluate(() => window.studioStore!().trainEpochs.map((e) => e.epoch)))
    .toEqual([0, 1, 2]);

  // The user saw it: the device loss and the recovery, in the notices under the top bar.
  const log = await page.evaluate((n) => window.studioStore!().log.slice(n), logBefore);
  expect(log.some((m) => /GPU device lost/.test(m))).toBe(true);
  expect(log.some((m) => /recovered from GPU device loss.*epoch 2/.test(m))).toBe(true);
  await expect(page.getByTestId('status-notices')).toContainText('recovered from GPU device loss');

  // The same run without a fault, on the new device, ends on the same weights and Adam state
  // with the same epoch table: the checkpoint and the replay are exact.
  const recovered = await runInPage<State>(page, 'learn-state');
  await runInPage(page, 'learn-setup', SETUP);
  const clean = await runInPage<FitResult>(page, 'fit', { epochs: 3, lr: 1e-2 });
  const cleanState = await runInPage<State>(page, 'learn-state');
  expect(recovered.weightsHash).toBe(cleanState.weightsHash);
  expect(recovered.optHash).toBe(cleanState.optHash);
  for (let i = 0; i < 3; i++) {
    expect(r.rows[i].trainLoss).toBe(clean.rows[i].trainLoss);
    expect(r.rows[i].validLoss).toBe(clean.rows[i].validLoss);
  }
});

// A real out-of-memory cannot be provoked safely on SwiftShader (it allocates from system RAM:
// the machine would swap long before WebGPU reports OOM), so the debug hook makes the first
// step above bs 4 fail as out of memory; the real detection (an 'out-of-memory' error scope
// around the first step at each batch size) runs too and finds nothing.
test('out of GPU memory at bs 8: halves to bs 4, says so, finishes', async ({ page }) => {
  await page.goto('/');
  await runInPage(page, 'learn-setup', SETUP);
  await runInPage(page, 'debug-fault', { 'oom-above-bs': 4, 'oom-times': 1 });
  const r = await runInPage<FitResult>(page, 'fit', { epochs: 1, lr: 1e-2 });
  expect(r.rows.map((x) => x.epoch)).toEqual([0]);
  await expect
    .poll(() => page.evaluate(() => window.studioStore!().trainBatches.map((b) => b.bs)))
    .toEqual(Array(N_TRAIN).fill(4));
  const log = await page.evaluate(() => window.studioStore!().log);
  expect(log).toContain('out of GPU memory at bs 8, retrying at bs 4');
  await expect(page.getByTestId('status-notices')).toContainText('retrying at bs 4');
});

// Tab reload: the worker autosaves the session into IndexedDB at every epoch end; the reloaded
// page offers it, and Restore brings back the epoch table, the curves and the exact weights.
test('tab reload: the autosaved session is offered and restored bit-exactly', async ({ page }) => {
  await page.goto('/');
  await runInPage(page, 'learn-setup', SETUP);
  const r = await runInPage<FitResult>(page, 'fit', { epochs: 1, lr: 1e-2 });
  const before = await runInPage<State>(page, 'learn-state');
  const saved = await runInPage<{ epochs: number; iterations: number; data: string } | null>(
    page,
    'autosave-info',
  );
  expect(saved).toMatchObject({ epochs: 1, iterations: N_TRAIN, data: 'demo' });

  await page.reload();
  await expect(page.getByTestId('restore-banner')).toContainText('1 epochs, demo data');
  await page.getByTestId('restore-session').click();
  await expect(page.getByTestId('restore-banner')).toHaveCount(0);
  await expect(page.getByTestId('status-notices')).toContainText('session restored');
  const restored = await page.evaluate(() => ({
    epochs: window.studioStore!().trainEpochs.map((e) => [e.epoch, e.trainLoss, e.validLoss]),
    iters: window.studioStore!().trainBatches.map((b) => b.iter),
  }));
  expect(restored.epochs).toEqual([[0, r.rows[0].trainLoss, r.rows[0].validLoss]]);
  expect(restored.iters).toEqual(Array.from({ length: N_TRAIN }, (_, i) => i + 1));
  expect(await runInPage<State>(page, 'learn-state')).toMatchObject({
    weightsHash: before.weightsHash,
    optHash: before.optHash,
  });
  // The Train panel shows the restored epoch table.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('epoch-table')).toContainText(r.rows[0].trainLoss.toFixed(6));
});
