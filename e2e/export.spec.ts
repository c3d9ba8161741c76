// Export on real WebGPU (SwiftShader):
//  1. a ResNet-18 + fastai head fine-tuned on a few real images (sign_language_digits, 2 classes,
//     32 px) exported as safetensors + config.json loads in PyTorch (scripts/torch/load_export.py,
//     Debian's python3-torch) and gives the studio's probabilities on the same input tensors;
//     the same session exported as TF.js loads with plain tfjs in a fresh page, same probabilities;
//     the script export is fastai Python;
//  2. a session archive round trip: train, export, import in a new page (weights and optimizer
//     bit-identical), train on (the history continues), and bad archives are refused with the
//     current session untouched.
// The studio's WGSL kernels, as the product trains by default.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { strToU8, unzipSync, zipSync } from 'fflate';

import { expect, runInPage, test } from './fixtures';
import { exportTo, maxDiff, pixels, tinySigns, torchProbs, validPaths } from './exportHelpers';
import { pullExport, type Listed } from '../scripts/cliExport';
import { torchAvailable } from '../tests/models/torchRef';

interface State {
  weightsHash: string;
  optHash: string;
  numTensors: number;
}

test.describe.serial('export a fine-tuned ResNet-18', () => {
  let page: Page;
  let data = '';
  let out = '';
  const input: number[] = [];
  let probs: number[][] = [];
  const SIZE = 32;
  const N = 4;

  test.beforeAll(async ({ browser, studioUrl }: { browser: Browser; studioUrl: string }) => {
    test.setTimeout(600_000);
    data = tinySigns();
    out = mkdtempSync(join(tmpdir(), 'studio-export-'));
    page = await browser.newPage({ baseURL: studioUrl });
    await page.goto('/');
    await page.waitForFunction(() => window.studioCli !== undefined);
    await page.setInputFiles('#folder-input', data);
    await expect
      .poll(() => page.evaluate(() => window.studioStore!().dataSummary?.images))
      .toEqual({
        train: 4,
        valid: 4,
        test: 0,
      });
    // Fine-tune: one epoch of one batch of 4 at 32 px (a ResNet-18 step is slow on SwiftShader).
    const r = await runInPage<{ epochs: { trainLoss: number }[] }>(page, 'train', {
      arch: 'resnet18',
      size: SIZE,
      bs: 4,
      aug: 'none',
      'one-cycle': 1,
      lr: 'slice(1e-5, 1e-3)', // discriminative LRs over the 3 groups, as a fastai user types them
    });
    expect(r.epochs).toHaveLength(1);
    const paths = validPaths(data);
    for (const p of paths.slice(0, N)) input.push(...(await pixels(page, p, SIZE)));
    const fwd = await runInPage<{ probs: number[][] }>(page, 'learn-forward', {
      input,
      shape: [N, SIZE, SIZE, 3],
    });
    probs = fwd.probs;
    expect(probs).toHaveLength(N);
  });

  test.afterAll(async () => {
    await page?.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  test('safetensors + config.json load in PyTorch with the same probabilities', async () => {
    const skip = torchAvailable();
    test.skip(!!skip, skip);
    const dir = join(out, 'torch');
    const files = await exportTo(page, 'safetensors', dir);
    expect(files.map((f) => f.split('/').pop())).toEqual(['model.safetensors', 'config.json']);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      architecture: 'resnet18',
      key_naming: 'torchvision',
      classes: ['0', '1'],
      input_size: [32, 32],
    });
    const torch = torchProbs(dir, input, [N, SIZE, SIZE, 3]);
    const d = maxDiff(torch, probs);
    const note = `PyTorch vs studio (WebGPU) probabilities, ResNet-18 + fastai head, ${N} images: max abs diff ${d.toExponential(2)}`;
    console.log(note);
    test.info().annotations.push({ type: 'parity', description: note });
    expect(d).toBeLessThan(1e-4);
  });

  test('TF.js model loads with plain tfjs in a fresh page, same probabilities', async ({
    browser,
  }) => {
    const dir = join(out, 'tfjs');
    const files = await exportTo(page, 'tfjs', dir);
    const names = files.map((f) => f.split('/').pop()!);
    expect(names[0]).toBe('model.json');
    expect(names).toContain('README.md');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('tf.loadLayersModel');
    const fresh = await browser.newPage();
    try {
      await fresh.route('http://export.test/**', (route) => {
        const name = new URL(route.request().url()).pathname.slice(1);
        if (name === 'index.html')
          return route.fulfill({
            contentType: 'text/html',
            body: '<!doctype html><title>plain tfjs</title>',
          });
        return route.fulfill({ body: readFileSync(join(dir, name)) });
      });
      await fresh.goto('http://export.test/index.html');
      await fresh.addScriptTag({ path: resolve('node_modules/@tensorflow/tfjs/dist/tf.min.js') });
      const got = await fresh.evaluate(
        async ([x, shape]) => {
          const tf = (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
          await tf.setBackend('cpu');
          const model = await tf.loadLayersModel('http://export.test/model.json');
          const y = model.predict(
            tf.tensor4d(x, shape as [number, number, number, number]),
          ) as import('@tensorflow/tfjs').Tensor;
          return (await y.array()) as number[][];
        },
        [input, [N, SIZE, SIZE, 3]] as const,
      );
      const d = maxDiff(got, probs);
      const note = `plain tfjs (cpu) vs studio (WebGPU) probabilities, ${N} images: max abs diff ${d.toExponential(2)}`;
      console.log(note);
      test.info().annotations.push({ type: 'parity', description: note });
      expect(d).toBeLessThan(1e-4);
    } finally {
      await fresh.close();
    }
  });

  test('the script export is the fastai recipe of this session', async () => {
    const [file] = await exportTo(page, 'script', join(out, 'script'));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('ARCH = resnet18');
    expect(text).toContain('GrandparentSplitter(train_name="train", valid_name="valid")');
    expect(text).toContain('    learn.fit_one_cycle(1, lr_max=slice(1e-5, 1e-3), moms=MOMS)');
    expect(text).toContain('STUDIO = {"classes":["0","1"],"train":4,"valid":4}');
  });
});

test('session archive: export, import in a new page, identical state, training continues; bad archives refused', async ({
  page,
  browser,
  studioUrl,
}) => {
  // Two pages compile their training shaders (~25 s each on an idle SwiftShader machine).
  test.setTimeout(480_000);
  // resnet-tiny: conv/BN/residual/fastai head like a ResNet, seconds per epoch on SwiftShader.
  const setup = {
    arch: 'resnet-tiny',
    size: 16,
    bs: 8,
    'n-train': 3,
    'n-valid': 1,
    seed: 4,
  };
  await page.goto('/');
  await runInPage(page, 'learn-setup', setup);
  await runInPage(page, 'fit', { epochs: 1, lr: 1e-2 });
  const before = await runInPage<State>(page, 'learn-state');
  expect(before.optHash).not.toBe('');
  const dir = mkdtempSync(join(tmpdir(), 'studio-session-'));
  const second = await browser.newPage({ baseURL: studioUrl });
  try {
    const [zip] = await pullExport(
      page,
      await runInPage<Listed[]>(page, 'export', { format: 'session' }),
      dir,
    );
    const files = unzipSync(readFileSync(zip));
    expect(Object.keys(files).sort()).toEqual([
      'classes.json', 'history.json', 'manifest.json', 'model.safetensors',
      'optimizer.json', 'optimizer.safetensors', 'settings.json', 'split.json',
    ]); // prettier-ignore

    await second.goto('/');
    await runInPage(second, 'learn-setup', { ...setup, seed: 9 }); // a different current session
    const other = await runInPage<State>(second, 'learn-state');
    const bad = async (bytes: Uint8Array) =>
      second.evaluate(
        (b64) =>
          window.studioCli!.run('import-session', { base64: b64 }).then(
            () => 'imported',
            (e: Error) => e.message,
          ),
        Buffer.from(bytes).toString('base64'),
      );
    expect(await bad(strToU8('not a zip at all'))).toMatch(/not a readable \.zip/);
    const { 'optimizer.safetensors': _o, ...noOpt } = files;
    expect(await bad(zipSync(noOpt))).toMatch(/optimizer\.safetensors/);
    const wrongShape = { ...files, 'model.safetensors': files['optimizer.safetensors'] };
    expect(await bad(zipSync(wrongShape))).toMatch(/do not fit/);
    expect(await runInPage<State>(second, 'learn-state')).toEqual(other); // untouched

    const r = await second.evaluate(
      (b64) => window.studioCli!.run('import-session', { base64: b64 }),
      readFileSync(zip).toString('base64'),
    );
    expect(r).toMatchObject({ iterations: 3, epochs: 1, lastIter: 2, fits: 1 });
    const after = await runInPage<State>(second, 'learn-state');
    expect({ w: after.weightsHash, o: after.optHash }).toEqual({
      w: before.weightsHash,
      o: before.optHash,
    });

    // Training continues: one more epoch, and the history goes on from iteration 3.
    await runInPage(second, 'fit', { epochs: 1, lr: 1e-2 });
    expect((await runInPage<State>(second, 'learn-state')).weightsHash).not.toBe(
      before.weightsHash,
    );
    const [zip2] = await pullExport(
      second,
      await runInPage<Listed[]>(second, 'export', { format: 'session' }),
      join(dir, '2'),
    );
    const history = JSON.parse(
      Buffer.from(unzipSync(readFileSync(zip2))['history.json']).toString(),
    ) as {
      batches: { iter: number; fit: number }[];
      epochs: { fit: number }[];
      fits: { startIter: number; epochsDone: number }[];
    };
    expect(history.batches.map((b) => b.iter)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.batches.map((b) => b.fit)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(history.fits.map((f) => f.startIter)).toEqual([0, 3]);
    expect(history.epochs.map((e) => e.fit)).toEqual([0, 1]);
  } finally {
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
