// The worker state holds the only Learner: commands that need one and find none say so (no demo
// Learner appears behind the user's back), and each state is independent of the others.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { disposeLearner, learnState, setupLearner } from '../../src/learn/session';
import { lrFindCmd } from '../../src/learn/fitCommand';
import { fit } from '../../src/reliability/recovery';
import { sessionHandlers } from '../../src/worker/handlers/session';
import { exportHandlers } from '../../src/worker/handlers/export';
import { interpretHandlers } from '../../src/worker/handlers/interpret';
import { createWorkerState } from '../../src/worker/state';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const noEmit = () => {};

it('commands that need a Learner refuse clearly when there is none', async () => {
  const st = createWorkerState();
  const n = tf.memory().numTensors;
  await expect(fit(st, { epochs: 1 }, noEmit)).rejects.toThrow(/no learner yet: set up a model/);
  await expect(lrFindCmd(st, {})).rejects.toThrow(/no learner yet/);
  await expect(learnState(st)).rejects.toThrow(/no learner yet/);
  await expect(
    Promise.resolve().then(() => interpretHandlers.interpret({}, st, noEmit)),
  ).rejects.toThrow(/no training session yet/);
  await expect(
    Promise.resolve().then(() => exportHandlers.exportModel({ format: 'session' }, st, noEmit)),
  ).rejects.toThrow(/nothing to export/);
  expect(await sessionHandlers.freezeLearner({}, st, noEmit)).toBeNull();
  expect(st.learner).toBeUndefined();
  expect(tf.memory().numTensors).toBe(n);
});

it('a Learner on imported data needs an import first', async () => {
  await expect(setupLearner(createWorkerState(), { data: 'imported' })).rejects.toThrow(
    /no dataset imported yet/,
  );
});

it('states are independent: a Learner set up in one is not seen by another', async () => {
  const a = createWorkerState();
  const b = createWorkerState();
  await setupLearner(a, { arch: 'tiny-cnn', size: 16, bs: 4, nTrain: 1, nValid: 1 });
  expect(a.learner).toBeDefined();
  expect(b.learner).toBeUndefined();
  const stop = await sessionHandlers.stop({}, a, noEmit);
  expect(stop).toEqual({ stopping: true });
  expect(a.control.stopRequested).toBe(true);
  expect(b.control.stopRequested).toBe(false);
  expect(await sessionHandlers.freezeLearner({}, a, noEmit)).toMatchObject({ frozenGroups: 0 });
  disposeLearner(a);
});
