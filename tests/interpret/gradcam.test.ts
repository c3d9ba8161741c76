// Grad-CAM on the CPU backend: the map follows where the class evidence is, is in [0, 1], and
// for a GAP + linear head equals CAM (the fc weights of the class over the feature maps).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { gradCam } from '../../src/learn/gradcam';
import { tinyCnn } from '../../src/models/tinyCnn';
import { cutBody, visionModel } from '../../src/models/head';
import { buildModel } from '../../src/models/zoo';
import { heatStats } from '../../src/page/app/interpret/heat';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('tiny-bn-cnn: body + head compose to forward', () => {
  const m = tinyBnCnn(3, 7);
  const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const a = m.forward(x, { training: false });
  const b = m.head!.forward(m.body!.forward(x, false), false);
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  tf.dispose([x, a, b]);
  m.dispose();
});

it('equals CAM for a GAP + linear head, upsampled to the input and scaled to [0, 1]', async () => {
  const m = tinyBnCnn(3, 11);
  // An image with a bright square in one corner: features differ across space.
  const px = new Float32Array(32 * 32 * 3).fill(0.1);
  for (let y = 0; y < 12; y++)
    for (let x = 0; x < 12; x++) px.fill(0.9, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
  const x = tf.tensor4d(px, [1, 32, 32, 3]);
  const before = tf.memory().numTensors;
  const cam = await gradCam(m, x, { classIndex: 1 });
  expect(tf.memory().numTensors).toBe(before);
  expect([cam.width, cam.height, cam.rawWidth, cam.rawHeight]).toEqual([32, 32, 8, 8]);
  expect(cam.heatmap.length).toBe(32 * 32);
  expect(cam.probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
  const heat = Array.from(cam.heatmap);
  expect(Math.min(...heat)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...heat)).toBeCloseTo(1, 5);
  // CAM: relu(sum_c fc[c, k] / (h*w) * A_c), the same shape as Grad-CAM's map.
  const expected = tf.tidy(() => {
    const a = m.body!.forward(x, false);
    const w = tf.slice(m.params.get('fc.weight')!, [0, 1], [-1, 1]).reshape([1, 1, 1, -1]);
    return tf.relu(tf.sum(tf.mul(a, tf.div(w, 64)), 3));
  });
  const e = Array.from(expected.dataSync());
  const raw = Array.from(cam.raw);
  e.forEach((v, i) => expect(raw[i]).toBeCloseTo(v, 5));
  tf.dispose([x, expected]);
  m.dispose();
});

it('defaults to the predicted class and refuses models without a body/head split', async () => {
  const m = tinyBnCnn(4, 2);
  const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const cam = await gradCam(m, x);
  expect(cam.classIndex).toBe(cam.probs.indexOf(Math.max(...cam.probs)));
  const plain = tinyCnn(2, 1);
  await expect(gradCam(plain, x)).rejects.toThrow(/body and head/);
  tf.dispose(x);
  m.dispose();
  plain.dispose();
});

it('a ResNet with fastai head (vision_learner): Grad-CAM of the body output, not uniform', async () => {
  const m = visionModel(cutBody(buildModel('resnet-tiny', 1000, 1)), 3, { seed: 2 });
  const x = tf.randomUniform([1, 64, 64, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
  const cam = await gradCam(m, x);
  expect([cam.rawWidth, cam.rawHeight]).toEqual([2, 2]);
  expect(cam.heatmap.length).toBe(64 * 64);
  expect(heatStats(cam.heatmap).std).toBeGreaterThan(0);
  tf.dispose(x);
  m.dispose();
});
