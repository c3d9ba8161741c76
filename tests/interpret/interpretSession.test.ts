// The worker's interpret/gradcam commands on the demo session, on the CPU backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gradcamCmd, interpret } from '../../src/learn/interpretSession';
import { multiLabelReport } from '../../src/shared/interpretation';
import { BCEWithLogitsLossFlat } from '../../src/learn/losses';
import { disposeLearner, setupLearner } from '../../src/learn/session';
import { createWorkerState } from '../../src/worker/state';

const st = createWorkerState();

beforeAll(async () => {
  await tf.setBackend('cpu');
  await setupLearner(st, { arch: 'tiny-bn-cnn', size: 16, bs: 8, nTrain: 1, nValid: 2, seed: 3 });
});
afterAll(() => disposeLearner(st));

it('interpret: matrix, cells, top losses and report agree with each other', async () => {
  const r = await interpret(st, { k: 5 });
  const c = r.vocab.length;
  expect(r.n).toBe(16);
  expect(r.multiLabel).toBe(false);
  expect(r.probs).toHaveLength(16 * c);
  expect(r.matrix.flat().reduce((s, v) => s + v, 0)).toBe(16);
  r.matrix.forEach((row, a) =>
    row.forEach((count, p) => {
      expect(r.cells[a][p]).toHaveLength(count);
      for (const i of r.cells[a][p]) expect([r.actual[i], r.predicted[i]]).toEqual([a, p]);
    }),
  );
  expect(r.topLosses).toHaveLength(5);
  const sorted = [...r.losses].sort((a, b) => b - a);
  expect(r.topLosses.map((t) => t.loss)).toEqual(sorted.slice(0, 5));
  const t = r.topLosses[0];
  expect(t.actual).toEqual([r.vocab[r.actual[t.index]]]);
  expect(t.prob).toBeCloseTo(Math.max(...r.probs.slice(t.index * c, (t.index + 1) * c)), 6);
  // Cross-entropy of the actual class.
  expect(t.loss).toBeCloseTo(-Math.log(t.probActual!), 4);
  expect(r.report.classes.reduce((s, x) => s + x.support, 0)).toBe(16);
  expect(r.paths[0]).toBe('demo/valid/0');
});

it('gradcam of a demo validation item: a heat map at the input size', async () => {
  const before = tf.memory().numTensors;
  const g = await gradcamCmd(st, { index: 9 });
  expect(tf.memory().numTensors).toBe(before);
  expect([g.width, g.height, g.heatmap.length]).toEqual([16, 16, 256]);
  expect(g.image.rgb.length).toBe(16 * 16 * 3);
  expect(g.classIndex).toBe(g.probs.indexOf(Math.max(...g.probs)));
  expect(g.path).toBe('demo/valid/9');
  await expect(gradcamCmd(st, { index: 99 })).rejects.toThrow(/out of range/);
});

it('multi-label: probabilities and targets for the threshold slider, report at the threshold', async () => {
  const s = st.learner!;
  const { lossFunc, data } = s.learn;
  const c = 3;
  s.learn.lossFunc = BCEWithLogitsLossFlat();
  const y = new Float32Array(6 * c).map((_, i) => (i % 4 === 0 ? 1 : 0));
  s.learn.data = {
    ...data,
    async *valid() {
      yield {
        x: tf.randomUniform([6, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
        y: tf.tensor2d(y, [6, c]),
      };
    },
  };
  try {
    const r = await interpret(st, { k: 3, thresh: 0.4 });
    expect(r.multiLabel).toBe(true);
    expect(r.matrix).toEqual([]);
    expect(r.targets).toEqual(Array.from(y));
    expect(r.report).toEqual(multiLabelReport(r.probs, r.targets, r.vocab, 0.4));
    for (const t of r.topLosses)
      expect(t.predicted).toEqual(r.vocab.filter((_, j) => r.probs[t.index * c + j] >= 0.4));
  } finally {
    Object.assign(s.learn, { lossFunc, data });
  }
});

it("imported data: paths and Grad-CAM pixels come from the Learner's own loaders' items", async () => {
  const s = st.learner!;
  const { data } = s.learn;
  // A 16 x 16 image per validation item, flat grey except item 3, which is white.
  const item = (i: number) => ({
    path: `pets/valid/${i}.jpg`,
    labels: [],
    image: { width: 16, height: 16, rgb: new Uint8Array(16 * 16 * 3).fill(i === 3 ? 255 : 128) },
  });
  s.learn.data = {
    ...data,
    items: { train: [], valid: Array.from({ length: 16 }, (_, i) => item(i)) },
  };
  try {
    const r = await interpret(st, { k: 1 });
    expect(r.imported).toBe(true);
    expect(r.paths).toEqual(Array.from({ length: 16 }, (_, i) => `pets/valid/${i}.jpg`));
    const g = await gradcamCmd(st, { path: 'pets/valid/3.jpg' });
    expect(g.path).toBe('pets/valid/3.jpg');
    expect(g.image.rgb.every((v) => v === 255)).toBe(true);
  } finally {
    Object.assign(s.learn, { data });
  }
});
