// Snapshot ensembles through the page: the Train panel fits the tiny CNN on the demo data with
// fit_sgdr(3, cycle_len 2, cycle_mult 1) and "keep snapshots (ensemble)", then Interpret shows
// the final weights' and the ensemble's metrics side by side (screenshot for the README); the
// model's weights and the worker's tensor count are the same after the ensemble ran, and the
// CLI's `interpret --ensemble` and `predict-learner --ensemble` answer from the same snapshots,
// and so does the one-file page exported with the ensemble, opened from file:// offline;
// a session archive brings the ensemble back into a new learner.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../scripts/browser';
import { expect, runInPage, test } from './fixtures';
import { pageTops } from './offlinePage';
import type { EnsembleResult, LearnerPrediction } from '../src/shared/protocol';

const DIGITS = fileURLToPath(
  new URL('../../shared/datasets/sign_language_digits/val/3', import.meta.url),
);

test('ensemble: SGDR with snapshots, Interpret shows final weights and ensemble side by side', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto('/');
  await page.getByTestId('tab-train').click();
  await page.getByLabel('batch size').fill('8');
  await page.getByLabel('image size').fill('32');
  await page.getByTestId('learn-setup').click();
  await expect(page.getByText(/groups · .* parameters/)).toBeVisible({ timeout: 120_000 });

  await page.getByTestId('fit-policy').selectOption('sgdr');
  await page.getByTestId('fit-epochs').fill('3');
  await page.getByTestId('fit-cycle-len').fill('2');
  await page.getByTestId('fit-cycle-mult').fill('1');
  await page.getByTestId('fit-snapshots').check();
  await page.getByTestId('fit-lr').fill('1e-2');
  await page.getByTestId('fit').click();
  await expect
    .poll(() => page.evaluate(() => window.studioStore!().trainResult?.snapshots), {
      timeout: 240_000,
    })
    .toEqual([1, 3, 5]);
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(6);

  const before = await runInPage<{ weightsHash: string; numTensors: number }>(page, 'learn-state');
  await page.getByTestId('tab-interpret').click();
  await page.getByTestId('ensemble-run').click();
  const table = page.getByTestId('ensemble-table');
  await expect(table).toBeVisible({ timeout: 120_000 });
  await expect(table.locator('thead')).toContainText('final weights');
  await expect(table.locator('thead')).toContainText('ensemble of 3');
  const r = await page.evaluate(() => window.studioStore!().ensembleResult!);
  expect(r.members.map((m) => m.epoch)).toEqual([1, 3, 5]);
  // The table shows the worker's numbers: final weights, then the ensemble, per metric.
  const acc = table.locator('tr[data-metric="accuracy"] td');
  await expect(acc.nth(1)).toHaveText(r.single.accuracy.toFixed(4));
  await expect(acc.nth(2)).toHaveText(r.ensemble.accuracy.toFixed(4));
  // The final weights are the last cycle's snapshot.
  expect(r.members[2].metrics).toEqual(r.single);
  for (const v of [...Object.values(r.single), ...Object.values(r.ensemble)])
    expect(v).toBeGreaterThanOrEqual(0);
  await page.getByTestId('ensemble-run').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshots/ensemble.png' });

  const after = await runInPage<{ weightsHash: string; numTensors: number }>(page, 'learn-state');
  expect(after.weightsHash).toBe(before.weightsHash);
  expect(after.numTensors).toBe(before.numTensors);

  // The CLI: the same comparison, and a prediction by the ensemble's mean.
  const cli = await runInPage<{ ensemble: EnsembleResult }>(page, 'interpret', { ensemble: true });
  expect(cli.ensemble).toEqual(r);
  const file = readdirSync(DIGITS).sort()[0];
  const base64 = readFileSync(join(DIGITS, file)).toString('base64');
  const [p] = await runInPage<LearnerPrediction[]>(page, 'predict-learner', {
    images: [{ path: file, base64 }],
    ensemble: true,
  });
  expect(p.error).toBeUndefined();
  expect(p.top).toHaveLength(3);
  expect(p.top[0].prob).toBeGreaterThan(0);
  expect(p.top[0].prob).toBeLessThanOrEqual(1);

  // The one-file page with the ensemble (the Export panel's default when there are snapshots),
  // from file:// offline: its top-3 are `predict-learner --ensemble`'s within 1e-4.
  await page.getByTestId('tab-export').click();
  const box = page.getByTestId('export-ensemble');
  await expect(box).toBeChecked();
  await expect(page.getByText('snapshot ensemble (3 snapshots)')).toBeVisible();
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('export-page').click();
  const d = await download;
  expect(d.suggestedFilename()).toMatch(/-ensemble3\.html$/);
  const dir = mkdtempSync(join(tmpdir(), 'studio-enspage-'));
  const browser = await launchBrowser();
  try {
    const html = join(dir, d.suggestedFilename());
    await d.saveAs(html);
    const images = readdirSync(DIGITS)
      .sort()
      .slice(0, 3)
      .map((f) => join(DIGITS, f));
    const want = await runInPage<LearnerPrediction[]>(page, 'predict-learner', {
      images: images.map((p) => ({ path: p, base64: readFileSync(p).toString('base64') })),
      ensemble: true,
    });
    const { page: offline, tops, outside } = await pageTops(browser, html, images);
    await expect(offline.locator('h1')).toContainText('ensemble of 3');
    for (const w of want) {
      const top = tops[w.path.split('/').pop()!];
      expect(top.map((t) => t.label)).toEqual(w.top.map((t) => t.label));
      top.forEach((t, i) => expect(Math.abs(t.prob - w.top[i].prob)).toBeLessThan(1e-4));
    }
    expect(outside).toEqual([]);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await page.getByTestId('tab-interpret').click();
  const end = await runInPage<{ weightsHash: string; numTensors: number }>(page, 'learn-state');
  expect(end.weightsHash).toBe(before.weightsHash);
  expect(end.numTensors).toBe(before.numTensors);

  // Session archive round trip: a new learner, then the archive: the same ensemble is back.
  const warnings = await page.evaluate(async () => {
    const s = window.studioStore!;
    const [file] = await s().exportFiles('session');
    await s().learnSetup({ arch: 'tiny-bn-cnn', size: 32, bs: 8, seed: 7 });
    if (s().snapshotEpochs) throw new Error('a new learner has no snapshots');
    return (await s().importSession(file.bytes, 'session.zip')).warnings;
  });
  expect(warnings).toEqual([]);
  await page.getByTestId('ensemble-run').click();
  await expect(table).toBeVisible({ timeout: 120_000 });
  expect(await page.evaluate(() => window.studioStore!().ensembleResult)).toEqual(r);
});
