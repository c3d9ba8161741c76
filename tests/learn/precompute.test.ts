// Precomputed body activations: the body runs once per image, then only the head trains, and
// the trained head works inside the full model.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { Recorder } from '../../src/learn/callbacks';
import { demoBatches } from '../../src/learn/demoData';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { batchNorm } from '../../src/models/layers';
import { fitOneCycle, learner } from '../../src/learn/fit';
import { canPrecompute, precompute, type BodyHead } from '../../src/learn/precompute';
import { getPreds } from '../../src/learn/tta';
import { accuracy } from '../../src/learn/metrics';
import type { Model } from '../../src/models/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('caches the body once, trains the head on the cache, body weights untouched', async () => {
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
  expect(canPrecompute(model)).toBe(true);
  const data = demoBatches({ size: 16, bs: 8, nTrain: 6, nValid: 2, seed: 9 });
  const conv1 = Array.from(p('conv1.weight').dataSync());
  const pre = await precompute(model, data, 8);
  expect(bodyImages).toBe(64);
  const head = learner(pre.model, pre.data, { metrics: [accuracy] });
  await fitOneCycle(head, 4, 3e-2);
  expect(bodyImages).toBe(64);
  expect(Array.from(p('conv1.weight').dataSync())).toEqual(conv1);
  const rows = head.cb(Recorder)!.values;
  expect(rows[3].trainLoss).toBeLessThan(rows[0].trainLoss);
  // The full model (body + trained head) scores as the head did on the cache.
  const full = await getPreds(learner(model, data));
  expect(accuracy.value(full)).toBeCloseTo(rows[3].metrics.accuracy, 5);
  pre.dispose();
  head.opt!.dispose();
});
