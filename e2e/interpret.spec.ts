// The Interpret panel on a real (small) dataset: train a tiny net on three Fashion-MNIST classes,
// then the confusion matrix (total = validation count; a click shows exactly that cell's images),
// a Grad-CAM overlay (screenshot; the heat is not uniform), and Predict with its CSV.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, runInPage, test } from './fixtures';

const FASHION = fileURLToPath(new URL('../../shared/datasets/fashion_mnist_png', import.meta.url));
const CLASSES = ['Trouser', 'Bag', 'Sneaker'];

/** A small copy laid out as a user's folder: train/<class>/ (24 each), val/<class>/ (8 each). */
function smallDataset(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'studio-interpret-')), 'fashion3');
  for (const [split, n] of [
    ['train', 24],
    ['val', 8],
  ] as const)
    for (const c of CLASSES) {
      const dir = join(root, split, c);
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(join(FASHION, split, c))
        .sort()
        .slice(0, n))
        copyFileSync(join(FASHION, split, c, f), join(dir, f));
    }
  return root;
}

test('interpret: confusion matrix cells show their images, Grad-CAM overlay, predict + CSV', async ({
  page,
}) => {
  const root = smallDataset();
  try {
    await page.goto('/');
    await page.setInputFiles('#folder-input', root);
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
    const summary = await page.evaluate(() => window.studioStore!().dataSummary!);
    const nValid = Object.values(summary.counts.valid).reduce((s, v) => s + v, 0);
    expect(nValid).toBe(24);

    // Train through the store's actions (what the Train panel's buttons call).
    const fit = await page.evaluate(async () => {
      const s = window.studioStore!();
      const setup = await s.learnSetup({
        data: 'imported',
        arch: 'tiny-bn-cnn',
        size: 32,
        bs: 12,
        aug: 'none',
        seed: 1,
      });
      if (!setup) throw new Error(window.studioStore!().trainError);
      const r = await window.studioStore!().fit({ policy: 'one_cycle', epochs: 4, lr: 2e-2 });
      if (!r) throw new Error(window.studioStore!().trainError);
      return r.rows.map((row) => row.validLoss);
    });
    expect(fit).toHaveLength(4);

    await page.getByTestId('tab-interpret').click();
    await page.getByTestId('interpret-run').click();
    const matrix = page.getByTestId('confusion-matrix');
    await expect(matrix).toBeVisible({ timeout: 60_000 });
    const r = await page.evaluate(() => window.studioStore!().interpretResult!);
    expect([...r.vocab].sort()).toEqual([...CLASSES].sort());
    expect(r.n).toBe(nValid);
    const total = r.matrix.flat().reduce((s, v) => s + v, 0);
    expect(total).toBe(nValid);
    const domCounts = await page
      .getByTestId('cm-cell')
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-count'))));
    expect(domCounts.reduce((s, v) => s + v, 0)).toBe(nValid);
    expect(r.report.classes.map((c) => c.support).reduce((s, v) => s + v, 0)).toBe(nValid);

    // A cell with images, a confusion if there is one: its images, exactly.
    const cells = r.matrix.flatMap((row, a) => row.map((count, p) => ({ a, p, count })));
    const pick =
      cells.filter((c) => c.a !== c.p && c.count > 0).sort((x, y) => y.count - x.count)[0] ??
      cells.sort((x, y) => y.count - x.count)[0];
    await page
      .locator(`[data-testid=cm-cell][data-actual="${pick.a}"][data-predicted="${pick.p}"]`)
      .click();
    const shown = page.locator('[data-testid=cell-images] [data-testid=cell-image]');
    await expect(shown).toHaveCount(pick.count);
    const shownPaths = await shown.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-path')!));
    const expected = r.cells[pick.a][pick.p].map((i) => r.paths[i]);
    expect(shownPaths.sort()).toEqual([...expected].sort());
    // ...and each is labelled with the cell's actual class (its folder).
    for (const p of shownPaths) expect(p).toContain(`/val/${r.vocab[pick.a]}/`);
    await expect(page.locator('[data-testid=cell-images] canvas')).toHaveCount(pick.count);

    await expect(page.getByTestId('class-report')).toBeVisible();
    await expect(page.getByTestId('top-losses').locator('figure')).toHaveCount(
      Math.min(16, nValid),
    );

    // Grad-CAM over the top losses: every map computed, rendered, and not uniform.
    await page.getByTestId('gradcam-toggle').check();
    await expect(page.getByTestId('top-losses').getByTestId('gradcam-canvas')).toHaveCount(
      r.topLosses.length,
      { timeout: 120_000 },
    );
    const stds = await page.evaluate(() =>
      Object.values(window.studioStore!().gradcams).map((g) => {
        const h = Array.from(g.heatmap);
        const mean = h.reduce((s, v) => s + v, 0) / h.length;
        return {
          std: Math.sqrt(h.reduce((s, v) => s + (v - mean) ** 2, 0) / h.length),
          n: h.length,
          max: Math.max(...h),
        };
      }),
    );
    expect(stds).toHaveLength(r.topLosses.length);
    for (const s of stds) {
      expect(s.n).toBe(32 * 32);
      expect(s.std).toBeGreaterThan(0);
      expect(s.max).toBeCloseTo(1, 4);
    }
    // The overlay canvas shows different colours across the image.
    const canvasStd = await page
      .getByTestId('top-losses')
      .getByTestId('gradcam-canvas')
      .first()
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const reds: number[] = [];
        for (let i = 0; i < d.length; i += 4) reds.push(d[i]);
        const m = reds.reduce((s, v) => s + v, 0) / reds.length;
        return Math.sqrt(reds.reduce((s, v) => s + (v - m) ** 2, 0) / reds.length);
      });
    expect(canvasStd).toBeGreaterThan(0);

    // Predict three new images (from the real validation folders), then the CSV.
    const newImages = CLASSES.map((c) => {
      const f = readdirSync(join(FASHION, 'val', c)).sort()[10];
      return join(FASHION, 'val', c, f);
    });
    await page.setInputFiles('#predict-input', newImages);
    const rows = page.locator('[data-testid=predict-table] tbody tr');
    await expect(rows).toHaveCount(3, { timeout: 60_000 });
    const preds = await page.evaluate(() => window.studioStore!().predictions);
    expect(preds.map((p) => p.path)).toEqual(newImages.map((f) => f.slice(f.lastIndexOf('/') + 1)));
    for (const p of preds) {
      expect(p.error).toBeUndefined();
      expect(p.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
      expect(p.prob).toBeCloseTo(Math.max(...p.probs), 6);
    }
    const download = page.waitForEvent('download');
    await page.getByTestId('predict-csv').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe(
      'filename,predicted,probability,top1,top1_prob,top2,top2_prob,top3,top3_prob',
    );
    expect(csv).toHaveLength(4);
    csv.slice(1).forEach((line, i) => {
      const cols = line.split(',');
      expect(cols[0]).toBe(preds[i].path);
      expect(cols[1]).toBe(preds[i].predicted[0]);
      expect(CLASSES).toContain(cols[1]);
      expect(Number(cols[2])).toBeCloseTo(preds[i].prob, 5);
      expect(cols[3]).toBe(cols[1]);
      expect(Number(cols[4])).toBeCloseTo(Number(cols[2]), 6);
      expect(Number(cols[4])).toBeGreaterThanOrEqual(Number(cols[6]));
    });

    // Grad-CAM of a new image, from its row.
    await page.getByTestId('predict-gradcam').first().click();
    await expect(page.getByTestId('predict-table').getByTestId('gradcam-canvas')).toHaveCount(1);
    await page.screenshot({ path: 'docs/screenshots/interpret.png', fullPage: true });
    // TTA through the CLI bridge (the page gets the bytes, as `npm run cli` hands them over).
    const tta = await runInPage<{ path: string; probs?: number[]; top: { prob: number }[] }[]>(
      page,
      'predict-learner',
      {
        images: [{ path: 'x.png', base64: readFileSync(newImages[0]).toString('base64') }],
        tta: true,
      },
    );
    expect(tta).toHaveLength(1);
    expect(tta[0].top.reduce((s, t) => s + t.prob, 0)).toBeCloseTo(1, 4);
  } finally {
    rmSync(join(root, '..'), { recursive: true, force: true });
  }
});
