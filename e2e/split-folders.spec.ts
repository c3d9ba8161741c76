// A real folder laid out train/<class>/ + test/<class>/ with no validation folder, imported through
// the Data panel's directory input: valid_pct of train/ is held out at random (seed), test/ is kept
// for prediction, counted apart from train and valid, and the summary says so.
import { renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetSubset, expect, test } from './fixtures';

const CIFAR = resolve('../shared/datasets/cifar10_small');
const CLASSES = ['airplane', 'automobile'];
const TRAIN = 10;
const TEST = 3;

test('train/ + test/ without a validation folder: random hold-out from train/, test/ kept apart', async ({
  page,
}) => {
  const dir = datasetSubset(CIFAR, CLASSES, { train: TRAIN, val: TEST }, 'studio-split-');
  renameSync(join(dir, 'val'), join(dir, 'test'));
  try {
    await page.goto('/');
    await page.setInputFiles('#folder-input', dir);
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
    const nTest = CLASSES.length * TEST;
    await expect(page.getByTestId('import-warnings')).toContainText(
      `no validation folder: 20% of train/ held out at random (seed 42); test/ kept for prediction (${nTest} images)`,
    );
    await expect(page.getByTestId('summary-line')).toContainText(
      `2 classes · 16 train · 4 valid · ${nTest} test · split by random`,
    );
    const s = await page.evaluate(() => window.studioStore!().dataSummary!);
    expect(s.images).toEqual({ train: 16, valid: 4, test: nTest });
    expect(s.splitFolders).toEqual({ train: 'train', test: 'test' });
    expect(s.skipped).toEqual([]);
    // Per class, train + valid is exactly what train/ holds; the test images are counted apart.
    for (const c of CLASSES) {
      expect(s.counts.train[c] + s.counts.valid[c]).toBe(TRAIN);
      expect(s.counts.test?.[c]).toBe(TEST);
    }
    expect(s.classes).toEqual(CLASSES);

    // valid_pct and seed from the panel: the hold-out and the note follow them.
    await page.getByTestId('valid-pct').fill('50');
    await page.getByTestId('seed').fill('7');
    await page.getByTestId('apply-import').click();
    await expect(page.getByTestId('import-warnings')).toContainText(
      'no validation folder: 50% of train/ held out at random (seed 7)',
    );
    await expect(page.getByTestId('summary-line')).toContainText(
      `10 train · 10 valid · ${nTest} test`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
