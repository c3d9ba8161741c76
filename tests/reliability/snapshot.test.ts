// One Snapshot per epoch end: the fit's checkpoint and the autosave's session archive share it,
// so each weight and optimizer tensor is read from the device once per epoch, not twice.
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { exportSession } from '../../src/export/sessionIO';
import { disposeLearner, setupLearner } from '../../src/learn/session';
import { fit } from '../../src/reliability/recovery';
import type { Snapshot } from '../../src/learn/snapshot';
import { createWorkerState, type WorkerState } from '../../src/worker/state';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => vi.restoreAllMocks());

const SETUP = { arch: 'tiny-bn-cnn', size: 16, bs: 4, nTrain: 3, nValid: 1, seed: 7 };

/** Runs a 2-epoch fit; counts device reads: of one weight, and of every tensor. */
async function run(onEpochEnd?: (st: WorkerState, snap: Snapshot) => Promise<unknown>) {
  const st = createWorkerState();
  await setupLearner(st, SETUP);
  const w = [...st.learner!.learn.model.params.values()][0];
  const data = tf.Tensor.prototype.data;
  const all = vi.spyOn(tf.Tensor.prototype, 'data').mockImplementation(function (this: tf.Tensor) {
    return data.call(this);
  });
  await fit(st, { epochs: 2, lr: 1e-2 }, () => {}, onEpochEnd && ((snap) => onEpochEnd(st, snap)));
  const counts = {
    weight: all.mock.contexts.filter((t) => t === w).length,
    all: all.mock.calls.length,
  };
  vi.restoreAllMocks();
  return { st, counts };
}

it('an epoch end reads the device once: the autosave archive reuses the checkpoint snapshot', async () => {
  const plain = await run();
  disposeLearner(plain.st);
  const archives: Uint8Array[] = [];
  const saved = await run(async (st, snap) =>
    archives.push(await exportSession(st.learner!, undefined, snap)),
  );
  expect(archives).toHaveLength(2);
  // The checkpoint before training, then one per epoch end.
  expect(saved.counts.weight).toBe(3);
  // Writing an archive at each epoch end adds no device read at all.
  expect(saved.counts.all).toBe(plain.counts.all);
  // The archive holds the state at that epoch end: its history has that many epochs.
  const epochs = archives.map(
    (a) => JSON.parse(new TextDecoder().decode(unzipSync(a)['history.json'])).epochs.length,
  );
  expect(epochs).toEqual([1, 2]);
  disposeLearner(saved.st);
});
