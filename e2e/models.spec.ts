// Pretrained ResNets in the real studio on WebGPU (SwiftShader):
//  - parity with torchvision: the same seeded weights (safetensors written by
//    scripts/torch/make_reference.py with Debian's python3-torch, generated into a temp dir here)
//    and the same input give the same eval-mode logits (max abs diff < 1e-3, same top-5);
//  - the bundled Keras ResNet50 recognises real photos through the CLI's predict command.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

import { expect, runInPage, test } from './fixtures';
import { makeReference, torchAvailable } from '../tests/models/torchRef';

const COCO = '../shared/datasets/coco128_multilabel/images/val2017';

function readSafetensors(path: string) {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString()) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const body = buf.subarray(8 + n);
  const get = (k: string) => {
    const [b, e] = header[k].data_offsets;
    const bytes = body.subarray(b, e);
    return header[k].dtype === 'I64'
      ? Array.from(
          new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
          Number,
        )
      : Array.from(
          new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
        );
  };
  return { header, get };
}

const top5 = (row: number[]) =>
  row
    .map((v, i) => [v, i])
    .sort((a, b) => b[0] - a[0])
    .slice(0, 5)
    .map(([, i]) => i);

const skip = torchAvailable();
let refDir = '';

test.describe('torchvision parity on WebGPU', () => {
  test.skip(!!skip, skip ?? '');
  test.beforeAll(async () => {
    // 32 px keeps the forwards short on SwiftShader (layer4 is 1x1; the reference floors its BN
    // variances, so it stays well-conditioned at that size).
    refDir = makeReference(['resnet18', 'resnet50'], 32);
  });
  test.afterAll(() => {
    rmSync(refDir, { recursive: true, force: true });
  });

  async function parity(page: Page, arch: string, batch: number, studioKernels: boolean) {
    await page.goto('/');
    await runInPage(page, 'studio-kernels', { enabled: studioKernels });
    await runInPage(page, 'model-create', { arch });
    // The weights (47-102 MB) arrive as a user's file drop does: through a file input
    // (page.route would push them through the DevTools protocol and crash the page).
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), {
        type: 'file',
        id: 'weights-e2e',
      });
      input.hidden = true;
      document.body.append(input);
    });
    await page.setInputFiles('#weights-e2e', join(refDir, `${arch}.safetensors`));
    const info = await runInPage<{ arch: string; source: string }>(page, 'load-weights', {
      input: '#weights-e2e',
    });
    expect(info).toMatchObject({ arch, source: `${arch}.safetensors` });
    const io = readSafetensors(join(refDir, `${arch}-io.safetensors`));
    const [, h, w, c] = io.header.input.shape;
    const input = io.get('input').slice(0, batch * h * w * c);
    const t0 = Date.now();
    const { logits } = await runInPage<{ logits: number[][] }>(page, 'forward', {
      input,
      shape: [batch, h, w, c],
    });
    const seconds = (Date.now() - t0) / 1000;
    const ref = io.get('logits');
    const refTop5 = io.get('top5');
    let maxDiff = 0;
    logits.forEach((row, b) =>
      row.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref[b * 1000 + i])))),
    );
    const note = `${arch} ${h}px batch ${batch} ${studioKernels ? 'studio' : 'stock'} kernels: max abs logit diff ${maxDiff.toExponential(2)} (forward ${seconds.toFixed(1)} s)`;
    console.log(note);
    test.info().annotations.push({ type: 'parity', description: note });
    expect(logits).toHaveLength(batch);
    expect(maxDiff).toBeLessThan(1e-3);
    logits.forEach((row, b) => expect(top5(row)).toEqual(refTop5.slice(b * 5, b * 5 + 5)));
  }

  test('ResNet-18 matches torchvision (stock tfjs-webgpu kernels)', async ({ page }) => {
    await parity(page, 'resnet18', 2, false);
  });
  test('ResNet-50 matches torchvision (stock tfjs-webgpu kernels)', async ({ page }) => {
    await parity(page, 'resnet50', 1, false);
  });
  test('ResNet-18 matches torchvision with the Studio WGSL kernels', async ({ page }) => {
    await parity(page, 'resnet18', 2, true);
  });
});

test('the bundled ImageNet ResNet50 sees a brown bear and a zebra (CLI predict)', async ({
  page,
}) => {
  // Two 224 px ResNet50 forwards on stock kernels take minutes on a busy 2-core SwiftShader.
  test.setTimeout(480_000);
  await page.goto('/');
  // Stock kernels until the Studio kernels pass the ResNet-18 parity test above (they return
  // zeros for a whole ResNet forward at the time of writing).
  await runInPage(page, 'studio-kernels', { enabled: false });
  const images = ['000000000285.jpg', '000000001818.jpg'].map((f) => ({
    path: `${COCO}/${f}`,
    base64: readFileSync(join(COCO, f)).toString('base64'),
  }));
  const out = await runInPage<{ path: string; top: { label: string; prob: number }[] }[]>(
    page,
    'predict',
    { arch: 'resnet50-imagenet', top: 5, images },
  );
  console.log(JSON.stringify(out.map((o) => ({ path: o.path, top: o.top.slice(0, 2) }))));
  expect(out.map((o) => o.path)).toEqual(images.map((i) => i.path));
  expect(out[0].top[0].label).toBe('brown_bear');
  expect(out[1].top[0].label).toBe('zebra');
  for (const o of out) {
    expect(o.top).toHaveLength(5);
    // Probabilities of a softmax, best first.
    expect(o.top[0].prob).toBeGreaterThan(0.5);
    expect(o.top.map((t) => t.prob)).toEqual([...o.top.map((t) => t.prob)].sort((a, b) => b - a));
  }
});
