// RandomResizedCrop as the Learner's item transform (fastai's RandomResizedCrop(size, min_scale)):
// the training loaders crop anew every epoch from a seed, validation is the centre crop.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { cachedImage, dataLoaders } from '../../src/data/importer';
import { applyItemTfm } from '../../src/data/itemTransforms';
import type { Batch } from '../../src/data/loaders';
import { disposeLearner, setupLearner } from '../../src/learn/session';
import type { ItemTfm, LearnSetupArgs } from '../../src/shared/protocol';
import type { WorkerState } from '../../src/worker/state';
import { importStripes, installNodeDecoder } from './nodeImages';

installNodeDecoder();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
let st: WorkerState | undefined;
afterEach(() => st && disposeLearner(st));

const SIZE = 48;
const RRC: ItemTfm = { kind: 'randomResizedCrop', size: SIZE, minScale: 0.2 };
const SETUP: LearnSetupArgs = {
  data: 'imported',
  arch: 'tiny-cnn',
  size: SIZE,
  bs: 2,
  aug: 'none', // only the item transform draws
  seed: 3,
  resize: 'random_resized_crop',
  minScale: 0.2,
};

/** Every image of one pass, by path. */
async function byPath(batches: AsyncGenerator<Batch>) {
  const out = new Map<string, number[]>();
  const px = SIZE * SIZE * 3;
  for await (const b of batches) {
    const x = await b.x.data();
    b.paths.forEach((p, i) => out.set(p, Array.from(x.subarray(i * px, (i + 1) * px))));
    tf.dispose([b.x, b.y]);
  }
  return out;
}

async function firstX(batches: AsyncIterable<{ x: tf.Tensor; y: tf.Tensor }>) {
  let first: number[] | undefined;
  for await (const b of batches) {
    first ??= Array.from(await b.x.data());
    tf.dispose([b.x, b.y]);
  }
  return first!;
}

it('the Learner trains on RandomResizedCrop: seeded, new crops each epoch, centre crop on valid', async () => {
  const { s } = await importStripes();
  st = s;
  const setup = await setupLearner(s, SETUP);
  const before = tf.memory().numTensors;
  // Small crops zoom in: the photos were read with a 2x short side (min_scale 0.2 -> 0.25).
  expect(setup.source).toMatchObject({ side: 2 * SIZE, of: 'short' });
  const learn = s.learner!.learn;
  const dls = (itemTfm: ItemTfm, seed = 3) => dataLoaders(s.data, { itemTfm, aug: 'none', seed });
  // The Learner's first training batch is the RandomResizedCrop loaders', not Resize's.
  const trained = await firstX(learn.data.train(0));
  expect(trained).toEqual(await firstX(dls(RRC).train.batches(2, 0)));
  const squish: ItemTfm = { kind: 'resize', size: SIZE, method: 'squish' };
  expect(trained).not.toEqual(await firstX(dls(squish).train.batches(2, 0)));

  const epoch0 = await byPath(dls(RRC).train.batches(2, 0));
  expect(await byPath(dls(RRC).train.batches(2, 0))).toEqual(epoch0); // same seed, same crops
  const epoch1 = await byPath(dls(RRC).train.batches(2, 1));
  const other = await byPath(dls(RRC, 4).train.batches(2, 0));
  expect(epoch0.size).toBe(4);
  for (const [p, x] of epoch0) {
    expect(epoch1.get(p)).not.toEqual(x); // a new crop every epoch
    expect(other.get(p)).not.toEqual(x); // and per seed
  }

  // Validation: fastai's centre crop (squish to size + 14 %, crop the centre), every pass alike.
  const valid = await byPath(dls(RRC).valid.batches(2));
  expect(valid.size).toBe(4);
  for (const [p, x] of valid) {
    const centre = new Float32Array(SIZE * SIZE * 3);
    applyItemTfm(cachedImage(s.data, p)!, RRC, false, Math.random, centre);
    expect(x).toEqual(Array.from(centre));
  }
  expect(await firstX(learn.data.valid())).toEqual([...valid.values()].slice(0, 2).flat());
  expect(tf.memory().numTensors).toBe(before); // every batch disposed
});

it('refuses a min_scale outside (0, 1]', async () => {
  const { s } = await importStripes();
  st = s;
  await expect(setupLearner(s, { ...SETUP, minScale: 0 })).rejects.toThrow(
    'RandomResizedCrop min_scale 0: give a number in (0, 1]',
  );
});
