// The bundled pretrained Keras ResNet50 + fastai head, fine-tuned for one epoch on real WebGPU
// (SwiftShader), exported as safetensors + config.json: scripts/torch/load_export.py builds it
// with Keras key names and caffe preprocessing (BGR, 0..255, mean subtracted) and gives the
// studio's probabilities on the same input tensors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, runInPage, test } from './fixtures';
import { exportTo, maxDiff, pixels, tinySigns, torchProbs, validPaths } from './exportHelpers';
import { torchAvailable } from '../tests/models/torchRef';

test('pretrained Keras ResNet50 export loads in PyTorch with the studio probabilities', async ({
  page,
}) => {
  const skip = torchAvailable();
  test.skip(!!skip, skip);
  test.setTimeout(300_000);
  const SIZE = 32;
  const data = tinySigns();
  const dir = mkdtempSync(join(tmpdir(), 'studio-export-r50-'));
  try {
    await page.goto('/');
    await page.waitForFunction(() => window.studioCli !== undefined);
    await page.setInputFiles('#folder-input', data);
    await expect
      .poll(() => page.evaluate(() => window.studioStore!().dataSummary?.images))
      .toEqual({ train: 4, valid: 4, test: 0 });
    // One epoch of one batch moves the head and the BatchNorm running stats off their init.
    const r = await runInPage<{ epochs: unknown[] }>(page, 'train', {
      arch: 'resnet50-imagenet',
      pretrained: true,
      size: SIZE,
      bs: 4,
      aug: 'none',
      'one-cycle': 1,
      lr: 1e-3,
    });
    expect(r.epochs).toHaveLength(1);
    const input: number[] = [];
    const paths = validPaths(data).slice(0, 2);
    for (const p of paths) input.push(...(await pixels(page, p, SIZE)));
    const shape = [paths.length, SIZE, SIZE, 3];
    const { probs } = await runInPage<{ probs: number[][] }>(page, 'learn-forward', {
      input,
      shape,
    });

    const files = await exportTo(page, 'safetensors', dir);
    expect(files.map((f) => f.split('/').pop())).toEqual(['model.safetensors', 'config.json']);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      key_naming: 'keras-resnet50',
      classes: ['0', '1'],
      input_size: [SIZE, SIZE],
      normalization: { bgr: true },
    });
    const d = maxDiff(torchProbs(dir, input, shape), probs);
    const note = `PyTorch vs studio (WebGPU) probabilities, Keras ResNet50 + fastai head, ${paths.length} images: max abs diff ${d.toExponential(2)}`;
    console.log(note);
    test.info().annotations.push({ type: 'parity', description: note });
    expect(d).toBeLessThan(1e-4);
  } finally {
    rmSync(data, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
