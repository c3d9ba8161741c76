// Precomputed body activations: the body runs once per image, then only the head trains, and
// the trained head works inside the full model.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { Recorder } from '../../src/learn/callbacks';
import { demoBatches } from '../../src/learn/demoData';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { batchNorm } from '../../src/models/layers';
import { fineTune, fitOneCycle, learner, lrFind, onPrecomputed } from '../../src/learn/fit';
import { canPrecompute, FeatureCache, precompute, type BodyHead } from '../../src/learn/precompute';
import { getPreds } from '../../src/learn/tta';
import { accuracy } from '../../src/learn/metrics';
import type { Model } from '../../src/models/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** tinyBnCnn split into a body (conv1+bn1) and a head; `bodyImages()` counts the body's images. */
function splitModel() {
  const m = tinyBnCnn(3, 4);
  const p = (k: string) => m.params.get(k)! as tf.Tensor4D;
  let bodyImages = 0;
  const split = {
    body: {
      forward: (x: tf.Tensor4D, training: boolean) => {
        bodyImages += x.shape[0];
        return tf.tidy(() =>
          tf.relu(batchNorm(m, 'bn1', tf.conv2d(x, p('conv1.weight'), 2, 'same'), training)),
        );
      },
    },
    head: {
      forward: (f: tf.Tensor4D, training: boolean) =>
        tf.tidy(() => {
          const h = tf.relu(
            batchNorm(m, 'bn2', tf.conv2d(f, p('conv2.weight'), 2, 'same'), training),
          );
          return tf.add(
            tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, m.params.get('fc.weight')! as tf.Tensor2D),
            m.params.get('fc.bias')!,
          ) as tf.Tensor2D;
        }),
    },
  };
  const model = {
    ...m,
    ...split,
    groups: [
      ['conv1.weight', 'bn1.weight', 'bn1.bias'],
      ['conv2.weight', 'bn2.weight', 'bn2.bias', 'fc.weight', 'fc.bias'],
    ],
    forward: (x: tf.Tensor4D, o: { training: boolean }) =>
      tf.tidy(() => split.head.forward(split.body.forward(x, o.training), o.training)),
  } as unknown as Model & BodyHead;
  return { m, p, model, bodyImages: () => bodyImages };
}

it('caches the body once, trains the head on the cache, body weights untouched', async () => {
  const { p, model, bodyImages: count } = splitModel();
  expect(canPrecompute(model)).toBe(true);
  const data = demoBatches({ size: 16, bs: 8, nTrain: 6, nValid: 2, seed: 9 });
  const conv1 = Array.from(p('conv1.weight').dataSync());
  const asked: unknown[] = [];
  const pre = await precompute(
    model,
    { ...data, train: (e, o) => (asked.push(o), data.train(e, o)) },
    8,
  );
  expect(count()).toBe(64);
  // The cache is of the training set without augmentation: a flip baked in is not augmentation.
  expect(asked).toEqual([{ augment: false }]);
  const head = learner(pre.model, pre.data, { metrics: [accuracy] });
  await fitOneCycle(head, 4, 3e-2);
  expect(count()).toBe(64);
  expect(Array.from(p('conv1.weight').dataSync())).toEqual(conv1);
  const rows = head.cb(Recorder)!.values;
  expect(rows[3].trainLoss).toBeLessThan(rows[0].trainLoss);
  // The full model (body + trained head) scores as the head did on the cache.
  const full = await getPreds(learner(model, data));
  expect(accuracy.value(full)).toBeCloseTo(rows[3].metrics.accuracy, 5);
  pre.dispose();
  head.opt!.dispose();
});

it('lr_find then fine_tune share one feature cache: the frozen body runs once for both', async () => {
  const { model, bodyImages: count } = splitModel();
  const data = demoBatches({ size: 16, bs: 8, nTrain: 6, nValid: 2, seed: 3 });
  const learn = learner(model, data, { metrics: [accuracy] });
  const cache = new FeatureCache((l) => [l.model, l.data]);
  const before = tf.memory().numTensors;
  const r = await onPrecomputed(learn, { bs: 8, cache }, (h) => lrFind(h, { numIt: 30 }));
  expect(r.lrs.length).toBeGreaterThan(5);
  expect(count()).toBe(64); // 6 train + 2 valid batches of 8, once
  expect(cache.held).toBe(true);
  const conv1 = Array.from(model.params.get('conv1.weight')!.dataSync());
  await fineTune(learn, 1, { baseLr: 1e-2, precompute: { bs: 8, cache } });
  // The frozen epoch reused the features; the unfrozen epoch ran the whole model (48 + 16).
  expect(count()).toBe(64 + 64);
  expect(cache.held).toBe(false); // dropped once the body trains
  expect(Array.from(model.params.get('conv1.weight')!.dataSync())).not.toEqual(conv1);
  learn.opt!.dispose();
  learn.opt = undefined;
  expect(tf.memory().numTensors).toBe(before);
});

it('a changed stamp (another data or a trained body) computes the features again', async () => {
  const { model, bodyImages: count } = splitModel();
  const data = demoBatches({ size: 16, bs: 8, nTrain: 2, nValid: 1, seed: 3 });
  const learn = learner(model, data);
  let version = 0;
  const cache = new FeatureCache(() => [version]);
  const before = tf.memory().numTensors;
  const noop = async () => {};
  await onPrecomputed(learn, { bs: 8, cache }, noop);
  await onPrecomputed(learn, { bs: 8, cache }, noop);
  expect(count()).toBe(24);
  version++;
  await onPrecomputed(learn, { bs: 8, cache }, noop);
  expect(count()).toBe(48);
  cache.clear();
  expect(tf.memory().numTensors).toBe(before);
});

it('lr_find stops early when the smoothed loss passes 4x its best (fastai stop_div)', async () => {
  const { model } = splitModel();
  const learn = learner(model, demoBatches({ size: 16, bs: 8, nTrain: 6, nValid: 1, seed: 5 }));
  const r = await lrFind(learn, { numIt: 100, endLr: 1e4 });
  expect(r.lrs.length).toBeLessThan(100);
  expect(r.losses[r.losses.length - 1]).toBeGreaterThan(4 * Math.min(...r.losses));
  const full = await lrFind(learn, { numIt: 100, endLr: 1e4, stopDiv: false });
  expect(full.lrs.length).toBe(100);
});
