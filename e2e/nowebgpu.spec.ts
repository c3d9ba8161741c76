// Without WebGPU (Chromium with --disable-features=WebGPU: requestAdapter gives null) the worker
// runs tfjs on wasm: the banner says what is slower and what is unavailable, and the workflow
// works: a folder import, the bundled ImageNet ResNet50's "what does it see", the head trained
// on precomputed body features of that ResNet50, interpretation, a session archive out and back
// in, Predict on new images. fine_tune and the kernel
// check are refused with a message. Screenshot of the banner for the README.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { findBrowser, NO_WEBGPU_ARGS } from '../scripts/browser';
import { datasetSubset, expect, runInPage, test } from './fixtures';

const DATASETS = resolve(import.meta.dirname, '../../shared/datasets');
const DIGITS = join(DATASETS, 'sign_language_digits');
const COCO = join(DATASETS, 'coco128_multilabel/images/val2017');
const CLASSES = ['0', '1', '2'];

test.skip(!existsSync(DIGITS) || !existsSync(COCO), `needs ${DIGITS} and ${COCO}`);

test('no WebGPU: wasm engine, banner, import, ImageNet predict, head on precomputed features, predict', async ({
  studioUrl,
}) => {
  test.setTimeout(4 * 60_000);
  const browser = await chromium.launch({ executablePath: findBrowser(), args: NO_WEBGPU_ARGS });
  const dir = datasetSubset(DIGITS, CLASSES, { train: 4, val: 2 }, 'studio-nowebgpu-');
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(studioUrl);
    // Debian's Chromium keeps navigator.gpu with the feature disabled; it has no adapter.
    const gpu = await page.evaluate(async () =>
      'gpu' in navigator ? String(await navigator.gpu.requestAdapter()) : 'absent',
    );
    expect(['null', 'absent']).toContain(gpu);

    const banner = page.getByTestId('fallback-banner');
    await expect(banner).toContainText('No WebGPU: Studio runs on WebAssembly (tfjs-wasm)');
    await expect(banner).toContainText('training with the body frozen');
    await expect(banner).toContainText('Unavailable: fine_tune and unfreezing');
    await expect(banner).toContainText(
      gpu === 'null' ? 'no GPU adapter is available' : 'navigator.gpu is missing',
    );
    await expect(page.getByTestId('no-webgpu')).toHaveCount(0);
    const info = await page.evaluate(() => window.studioStore!().info!);
    expect([info.engine, info.backend, info.adapter]).toEqual(['wasm', 'wasm', undefined]);
    await page.screenshot({ path: 'docs/screenshots/nowebgpu.png' });

    // What does it see: the bundled ImageNet ResNet50 at 224 px, on wasm.
    const bear = join(COCO, '000000000285.jpg');
    const seen = await runInPage<{ top: { label: string; prob: number }[] }[]>(page, 'predict', {
      arch: 'resnet50-imagenet',
      top: 3,
      images: [{ path: bear, base64: readFileSync(bear).toString('base64') }],
    });
    expect(seen[0].top[0].label).toBe('brown_bear');

    await page.setInputFiles('#folder-input', dir);
    await expect(page.getByTestId('summary-line')).toContainText('3 classes');

    // The import proposes the recipe that works here: the head, on precomputed features.
    await page.getByTestId('tab-train').click();
    await expect(page.getByTestId('recipe-software')).toContainText(
      'no WebGPU: the recipe trains the head only, fit_one_cycle on precomputed body features',
    );
    await expect(page.getByTestId('fit-policy')).toHaveValue('one_cycle');
    await expect(page.getByTestId('fit-precompute')).toBeChecked();

    // The Train panel's actions: the pretrained ResNet50 at 64 px, its head on cached features.
    const run = await page.evaluate(async () => {
      const s = window.studioStore!();
      const setup = await s.learnSetup({
        data: 'imported',
        arch: 'resnet50-imagenet',
        pretrained: true,
        size: 64,
        bs: 4,
        aug: 'none',
        seed: 1,
      });
      if (!setup) throw new Error(window.studioStore!().trainError);
      const refused = await s.fit({ policy: 'fine_tune', epochs: 1, precompute: true });
      const refusal = window.studioStore!().trainError;
      const r = await s.fit({ policy: 'one_cycle', epochs: 2, lr: 1e-2, precompute: true });
      if (!r) throw new Error(window.studioStore!().trainError);
      const check = await s.diagnose('kernelCheck', {}).then(
        () => 'ran',
        (e: Error) => e.message,
      );
      return {
        refused,
        refusal,
        rows: r.rows,
        check,
        choices: window.studioStore!().engineChoices,
      };
    });
    expect(run.refused).toBeUndefined();
    expect(run.refusal).toMatch(/fine_tune unfreezes the body, which needs WebGPU/);
    expect(run.check).toMatch(
      /kernelCheck checks or times the WebGPU kernels: not available on wasm/,
    );
    expect(run.rows).toHaveLength(2);
    for (const row of run.rows) expect(Number.isFinite(row.validLoss)).toBe(true);
    expect(run.choices).toContainEqual({
      phase: 'precompute',
      engine: 'wasm',
      reason: 'no-webgpu',
    });

    // Interpretation, and a session archive exported and imported back (same weights).
    const after = await page.evaluate(async () => {
      const s = window.studioStore!();
      const interp = await s.runInterpret();
      if (!interp) throw new Error(window.studioStore!().interpretError);
      const before = await s.diagnose('learnState', {});
      const files = await s.exportFiles('session');
      const back = await s.importSession(files[0].bytes, files[0].name);
      const again = await window.studioStore!().diagnose('learnState', {});
      const total = interp.matrix.flat().reduce((a, b) => a + b, 0);
      return { total, n: interp.n, files: files.map((f) => f.name), back, before, again };
    });
    expect([after.total, after.n]).toEqual([6, 6]);
    expect(after.files).toEqual(['session.zip']);
    expect(after.back.epochs).toBe(2);
    expect(after.again.weightsHash).toBe(after.before.weightsHash);

    // Predict new images (from the validation folders, past the imported ones) with the model.
    const images = CLASSES.map((c) => {
      const f = readdirSync(join(DIGITS, 'val', c)).sort()[5];
      return join(DIGITS, 'val', c, f);
    });
    await page.getByTestId('tab-interpret').click();
    await page.setInputFiles('#predict-input', images);
    await expect(page.locator('[data-testid=predict-table] tbody tr')).toHaveCount(3, {
      timeout: 60_000,
    });
    const preds = await page.evaluate(() => window.studioStore!().predictions);
    for (const p of preds) {
      expect(p.error).toBeUndefined();
      expect(CLASSES).toContain(p.predicted[0]);
      expect(p.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
