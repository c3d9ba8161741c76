// fastai's ImageClassifierCleaner on a folder with planted label noise: 20 trousers in the Bag
// folder (a third of all the trousers are labelled Bag), enough that the noisy model calls some
// clean validation trousers "Bag". The cleaner's train losses surface the planted ones at the top
// of the Bag class; relabelling them through the panel and retraining (same seed, same recipe)
// lowers the clean validation set's loss and raises its accuracy (seed 1: 0.86 -> 0.98); the
// edits travel with the session archive to a fresh page.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, runInPage, test } from './fixtures';
import type { CleanerLossesResult, FitResult } from '../src/shared/protocol';

const FASHION = fileURLToPath(new URL('../../shared/datasets/fashion_mnist_png', import.meta.url));
const PLANTED = 20;
const HELD_OUT = 30;

/**
 * train/{Trouser,Bag}/ 40 each + 20 other trousers in train/Bag (planted_*); val/ 50 each, clean:
 * the dataset's 20 plus the last 30 of its train folder (never trained on), so one image is one
 * point of accuracy rather than 2.5.
 */
function noisyDataset(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'studio-cleaner-')), 'noisy');
  const files = (split: string, c: string) => readdirSync(join(FASHION, split, c)).sort();
  for (const c of ['Trouser', 'Bag']) {
    for (const [split, n] of [
      ['train', 40],
      ['val', 20],
    ] as const) {
      mkdirSync(join(root, split, c), { recursive: true });
      for (const f of files(split, c).slice(0, n))
        copyFileSync(join(FASHION, split, c, f), join(root, split, c, f));
    }
  }
  for (const c of ['Trouser', 'Bag'])
    for (const f of files('train', c).slice(-HELD_OUT))
      copyFileSync(join(FASHION, 'train', c, f), join(root, 'val', c, `held_${f}`));
  for (const f of files('train', 'Trouser').slice(40, 40 + PLANTED))
    copyFileSync(join(FASHION, 'train', 'Trouser', f), join(root, 'train', 'Bag', `planted_${f}`));
  return root;
}

const SETUP = { data: 'imported', arch: 'tiny-bn-cnn', size: 28, bs: 10, aug: 'none', seed: 1 };
const FIT = { policy: 'one_cycle', epochs: 10, lr: 1e-2 };

test('cleaner: planted mislabels on top, relabelled through the panel, better model, saved with the session', async ({
  page,
  context,
}) => {
  const root = noisyDataset();
  const train = (p = page) =>
    p.evaluate(
      async ([setup, fit]) => {
        const s = window.studioStore!();
        if (!(await s.learnSetup(setup as never)))
          throw new Error(window.studioStore!().trainError);
        const r = await window.studioStore!().fit(fit as never);
        if (!r) throw new Error(window.studioStore!().trainError);
        return r;
      },
      [SETUP, FIT] as const,
    ) as Promise<FitResult>;
  try {
    await page.goto('/');
    await page.setInputFiles('#folder-input', root);
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
    const noisy = (await train()).rows.at(-1)!;

    await page.getByTestId('tab-interpret').click();
    await page.getByTestId('cleaner-split').selectOption('train');
    await page.getByTestId('cleaner-run').click();
    await expect(page.getByTestId('cleaner-items')).toBeVisible();
    await page.getByTestId('cleaner-class').selectOption('Bag');
    const r = await page.evaluate(() => window.studioStore!().cleanerResult!);
    expect(r.items).toHaveLength(80 + PLANTED);
    const bags = r.items.filter((it) => it.labels[0] === 'Bag');
    const top = bags.slice(0, PLANTED).map((it) => it.path);
    const found = top.filter((p) => p.includes('/planted_'));
    expect(found.length).toBeGreaterThanOrEqual(PLANTED - 2);

    // The panel shows the Bag class by loss; relabel the planted ones shown, delete one real bag.
    const figures = page.getByTestId('cleaner-items').getByTestId('cleaner-item');
    const shown = await figures.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-path')!));
    expect(shown.slice(0, PLANTED)).toEqual(top);
    const planted = shown.filter((p) => p.includes('/planted_'));
    const realBag = shown.find((p) => !p.includes('/planted_'))!;
    for (const p of planted)
      await page
        .locator(`[data-testid=cleaner-item][data-path="${p}"] [data-testid=cleaner-mark]`)
        .selectOption('Trouser');
    await page
      .locator(`[data-testid=cleaner-item][data-path="${realBag}"] [data-testid=cleaner-mark]`)
      .selectOption('<delete>');
    await page.getByTestId('cleaner-apply').click();
    const edits = page.getByTestId('cleaner-edit');
    await expect(edits).toHaveCount(planted.length + 1);
    await page.locator(`[data-testid=cleaner-edit][data-path="${realBag}"] button`).click();
    await expect(edits).toHaveCount(planted.length);

    // Retrain from the same start on the cleaned labels: the clean validation set agrees more,
    // by at least 5 of its 100 images.
    const clean = (await train()).rows.at(-1)!;
    expect(clean.validLoss).toBeLessThan(noisy.validLoss);
    expect(clean.metrics.accuracy).toBeGreaterThanOrEqual(noisy.metrics.accuracy + 0.05);

    // The session archive carries the overlay to a fresh page (the folder imported first).
    const [file] = await runInPage<{ name: string }[]>(page, 'export', { format: 'session' });
    const base64 = await runInPage<string>(page, 'export-chunk', { name: file.name });
    const fresh = await context.newPage();
    await fresh.goto('/');
    await fresh.setInputFiles('#folder-input', root);
    await expect(fresh.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
    const back = await runInPage<{ cleaner: unknown[] }>(fresh, 'import-session', { base64 });
    expect(back.cleaner).toHaveLength(planted.length);
    await fresh.getByTestId('tab-interpret').click();
    await expect(fresh.getByTestId('cleaner-edit')).toHaveCount(planted.length);
    // ...and the worker's loaders use it: the planted ones are trousers now.
    const listed = await runInPage<CleanerLossesResult & { n: number }>(fresh, 'clean', {
      list: true,
      split: 'train',
      class: 'Trouser',
    });
    expect(listed.n).toBe(40 + planted.length);
  } finally {
    rmSync(join(root, '..'), { recursive: true, force: true });
  }
});
