// fastai's lesson 1 as the Train panel's default after a folder import: the panel proposes the
// pretrained ResNet50 with lr_find + fine_tune, says when the GPU is a CPU emulator, and the
// estimate button times the set-up learner's batches (at a tiny size: the full recipe is far too
// slow for SwiftShader). Images are read from ../shared/datasets/trashnet_small (2 classes x 4
// copied into a temp train/val tree).
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSoftwareAdapter } from '../src/shared/recipe';
import { datasetSubset, expect, test } from './fixtures';

const TRASH = resolve(import.meta.dirname, '../../shared/datasets/trashnet_small');
const PER_SPLIT = { train: 3, val: 1 };

test.skip(!existsSync(TRASH), `needs ${TRASH}`);

test('an import proposes lesson 1; the estimate times the learner before a run', async ({
  page,
}) => {
  // The bundled ResNet50 loads, then a few batches compile their pipelines on SwiftShader.
  test.setTimeout(10 * 60_000);
  const dir = datasetSubset(TRASH, ['cardboard', 'glass'], PER_SPLIT, 'studio-recipe-');
  try {
    await page.goto('/');
    await page.setInputFiles('#folder-input', dir);
    await expect(page.getByTestId('summary-line')).toContainText('2 classes');
    await page.getByTestId('tab-train').click();
    const plan = page.getByTestId('recipe-plan');
    await expect(plan).toContainText('vision_learner(dls, resnet50-imagenet, pretrained=True');
    await expect(plan).toContainText('lr_find() → fine_tune(1,');
    await expect(page.getByTestId('fit-policy')).toHaveValue('fine_tune');

    const adapter = await page.evaluate(() => window.studioStore!().adapter);
    const software = page.getByTestId('recipe-software');
    if (isSoftwareAdapter(adapter)) {
      await expect(software).toContainText('this GPU is a CPU emulator');
      await expect(software).toContainText(
        'runs at 128 px with lr_find and the frozen epoch on precomputed body features',
      );
      await expect(plan).toContainText('Resize(128, crop)');
      await expect(plan).toContainText('precompute');
    } else await expect(software).toHaveCount(0);

    // The user's own size and batch size (tiny, for the test) win over the recipe's.
    await page.getByLabel('image size').fill('32');
    await page.getByLabel('batch size').fill('2');
    await expect(plan).toContainText('Resize(32, crop) · aug side-on · bs 2');
    await page.getByTestId('recipe-estimate').click();
    const text = page.getByTestId('recipe-estimate-text');
    await expect(text).toContainText(/about [\d:]+ in all \(lr_find up to/, {
      timeout: 9 * 60_000,
    });
    test.info().annotations.push({ type: 'estimate', description: (await text.textContent())! });
    const t = await page.evaluate(() => window.studioStore!().stepTiming!);
    expect([t.nTrain, t.nValid]).toEqual([3, 1]);
    for (const ms of [t.frozenMs, t.unfrozenMs!, t.validMs]) expect(ms).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.studioStore!().trainSetup?.arch)).toMatch(/resnet50/);
    expect(await page.evaluate(() => window.studioStore!().trainError)).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
