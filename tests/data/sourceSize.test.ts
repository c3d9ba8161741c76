// The Learner's photos at its training size (issue 17): a 224 px Learner reads its images again
// from their files at 224 px instead of upsampling the import's 128 px cache; progressive
// resizing reads again; the cache stays under its byte cap (with a warning when it cannot).
// Imports run on real BMP files through the worker's decoder (Node stand-ins: nodeImages.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeToCache } from '../../src/data/decode';
import { applyItemTfm, type RgbImage } from '../../src/data/itemTransforms';
import { sourceTarget } from '../../src/data/sourceSize';
import { disposeLearner, setupLearner } from '../../src/learn/session';
import { fitPolicy } from '../../src/learn/fitCommand';
import type { ItemTfm, LearnSetupArgs } from '../../src/shared/protocol';
import { createWorkerState, type WorkerState } from '../../src/worker/state';
import { importFiles } from '../../src/data/importer';
import { decodeJpeg } from './jpegBaseline';
import { importStripes, installNodeDecoder } from './nodeImages';

const TRASHNET = join(__dirname, '../../../shared/datasets/trashnet_small');

const decoder = installNodeDecoder();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
let st: WorkerState | undefined;
afterEach(() => st && disposeLearner(st));

const mae = (a: Float32Array, b: Float32Array) =>
  a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
/** Mean absolute step between horizontal neighbours of the red channel: the stripes' detail. */
const detail = (p: Float32Array, size: number) => {
  let s = 0;
  for (let i = 0; i < size; i++)
    for (let j = 1; j < size; j++) s += Math.abs(p[(i * size + j) * 3] - p[(i * size + j - 1) * 3]);
  return s / (size * (size - 1));
};
const through = (img: RgbImage, tfm: ItemTfm) => {
  const out = new Float32Array(tfm.size ** 2 * 3);
  applyItemTfm(img, tfm, false, () => 0.5, out);
  return out;
};

/** A Learner at fastai's 224 px, Resize crop, no batch augmentation (pixels compared as they are). */
const CROP_224: LearnSetupArgs = {
  data: 'imported',
  arch: 'tiny-cnn',
  size: 224,
  bs: 2,
  resize: 'crop',
  aug: 'none',
};
const TFM_224: ItemTfm = { kind: 'resize', size: 224, method: 'crop' };

/** The first validation image of the session's Learner, as its batch holds it. */
async function firstValid(s: WorkerState, size: number) {
  const learn = s.learner!.learn;
  let batch: Float32Array | undefined;
  for await (const b of learn.data.valid()) {
    batch ??= (await b.x.data()).slice(0, size * size * 3) as Float32Array;
    tf.dispose([b.x, b.y]);
  }
  return { path: learn.data.items!.valid[0].path, batch: batch! };
}

describe('the Learner reads its photos at its own size', () => {
  it('trashnet at 224 px: the batch is the 512x384 photo through Resize crop, not the 128 px cache upsampled', async () => {
    const files = ['train', 'val'].flatMap((split) =>
      ['cardboard', 'glass'].flatMap((cls) =>
        readdirSync(join(TRASHNET, split, cls))
          .sort()
          .slice(0, 2)
          .map((name) => {
            const bytes = new Uint8Array(readFileSync(join(TRASHNET, split, cls, name)));
            return {
              path: `trashnet_small/${split}/${cls}/${name}`,
              file: new File([bytes], name, { lastModified: 1 }),
            };
          }),
      ),
    );
    const s = (st = createWorkerState());
    await importFiles(s.data, { files }, () => undefined);
    const setup = await setupLearner(s, CROP_224);
    expect(setup.source).toMatchObject({ side: 224, minShortSide: 224, belowSize: 0 });
    const { path, batch } = await firstValid(s, 224);
    const file = files.find((f) => f.path === path)!.file;
    const original = decodeJpeg(new Uint8Array(await file.arrayBuffer()));
    expect([original.width, original.height]).toEqual([512, 384]);
    const direct = through(original, TFM_224);
    const upsampled = through((await decodeToCache(file, 128)) as RgbImage, TFM_224);
    // Measured: 0.005 vs 0.015 off the direct resize; 87 % vs 61 % of its pixel-to-pixel detail.
    expect(mae(batch, direct)).toBeLessThan(0.01);
    expect(mae(upsampled, direct)).toBeGreaterThan(2.5 * mae(batch, direct));
    expect(detail(batch, 224)).toBeGreaterThan(0.8 * detail(direct, 224));
    expect(detail(upsampled, 224)).toBeLessThan(0.7 * detail(direct, 224));
  });

  it('fine stripes at 224 px: every image read again, the report says so, the stripes survive', async () => {
    const { s, originals } = await importStripes();
    st = s;
    const first = s.data.cache.get('set/valid/a/0.bmp')!.result as RgbImage;
    expect([first.width, first.height]).toEqual([128, 96]); // the import's thumbnail size
    const decodes = decoder.decodes;
    const setup = await setupLearner(s, CROP_224);
    expect(decoder.decodes - decodes).toBe(8); // every image read again
    expect(setup.source).toEqual({
      side: 224,
      of: 'short',
      images: 8,
      minShortSide: 224,
      medianShortSide: 224,
      belowSize: 0,
      bytes: 8 * 299 * 224 * 3,
      warnings: [],
    });
    const { path, batch } = await firstValid(s, 224);
    const { img, file } = originals.get(path)!;
    const direct = through(img, TFM_224); // fastai: Resize on the original photo
    const thumb = (await decodeToCache(file, 128)) as RgbImage; // the old cache
    const upsampled = through(thumb, TFM_224);
    expect(mae(batch, direct)).toBeLessThan(0.03);
    expect(mae(upsampled, direct)).toBeGreaterThan(4 * mae(batch, direct));
    expect(detail(batch, 224)).toBeGreaterThan(0.8 * detail(direct, 224));
    expect(detail(upsampled, 224)).toBeLessThan(0.6 * detail(direct, 224));
  });

  it('keeps larger pixels for a smaller size, and progressive resizing reads again', async () => {
    const { s } = await importStripes();
    st = s;
    let decodes = decoder.decodes;
    const again = (size: number, resize: 'pad' | 'crop') =>
      setupLearner(s, { data: 'imported', arch: 'tiny-cnn', size, bs: 2, resize });
    // The import's 128x96 covers a 128 px long side (pad) and a 96 px short side (crop).
    expect((await again(128, 'pad')).source).toMatchObject({ side: 128, of: 'long' });
    expect((await again(96, 'crop')).source).toMatchObject({ side: 96, medianShortSide: 96 });
    expect(decoder.decodes).toBe(decodes);
    const fit = await fitPolicy(s, { epochs: 1, policy: 'fit', lr: 1e-3, size: 160 }, () => {}, []);
    expect(decoder.decodes - decodes).toBe(8);
    expect(fit.source).toMatchObject({ side: 160, of: 'short', minShortSide: 160, belowSize: 0 });
    expect(fit.rows).toHaveLength(1);
    decodes = decoder.decodes;
    // A size past the original (384 px short side): decoded whole, and said to be upsampled.
    const big = await setupLearner(s, { data: 'imported', arch: 'tiny-cnn', size: 512, bs: 2 });
    expect(decoder.decodes - decodes).toBe(8);
    expect(big.source).toMatchObject({ medianShortSide: 384, belowSize: 8 });
  });

  it('over the byte cap: a smaller size that fits, and a warning saying so', async () => {
    const { s } = await importStripes();
    st = s;
    s.data.maxCacheBytes = 1e6; // 8 images at 299x224 need 1.6 MB
    const r = await setupLearner(s, { data: 'imported', arch: 'tiny-cnn', size: 224, bs: 2 });
    const src = r.source!;
    expect(src.bytes).toBeLessThanOrEqual(1e6);
    expect(src.side).toBeLessThan(224);
    expect(src.side).toBeGreaterThan(150); // the largest that fits, not the import's size
    expect(src.belowSize).toBe(8);
    expect(src.warnings).toHaveLength(1);
    expect(src.warnings[0]).toMatch(
      /^8 images at 224 px on the short side need 2 MB of RGB, over the 1 MB cache cap: decoded at \d+ px instead/,
    );
  });

  it('reads what each item transform fills: short side for crop/squish, long for pad, 2x for small random crops', () => {
    const t = (resize: 'crop' | 'squish' | 'pad' | 'random_resized_crop', minScale = 0.08) =>
      sourceTarget({ size: 224, resize, minScale });
    expect(t('crop')).toEqual({ side: 224, of: 'short' });
    expect(t('squish')).toEqual({ side: 224, of: 'short' });
    expect(t('pad')).toEqual({ side: 224, of: 'long' });
    expect(t('random_resized_crop')).toEqual({ side: 448, of: 'short' });
    expect(t('random_resized_crop', 1)).toEqual({ side: 224, of: 'short' });
  });
});
