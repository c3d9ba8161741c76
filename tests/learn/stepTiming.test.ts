// Timing the set-up learner's batches (src/learn/stepTiming.ts, the worker's estimateStep): two
// batches per phase and no more, and the learner as it was afterwards (weights, optimizer state,
// freeze state, data passes, no tensor left), on success and when a batch fails.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { demoBatches } from '../../src/learn/demoData';
import { fitOneCycle, learner } from '../../src/learn/fit';
import type { Batch, Batches } from '../../src/learn/batches';
import type { Learner } from '../../src/learn/learner';
import { fingerprint } from '../../src/learn/snapshot';
import { timeSteps } from '../../src/learn/stepTiming';
import { visionModel } from '../../src/models/head';
import { freeze } from '../../src/models/model';
import { torchvisionBody } from '../../src/models/resnet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The demo batches, counting what the loop draws; `failAt`: that training batch throws. */
function counted(nTrain: number, failAt?: number) {
  const d = demoBatches({ size: 16, bs: 4, nTrain, nValid: 3, seed: 4 });
  const drawn = { train: 0, valid: 0 };
  async function* count(it: AsyncIterable<Batch>, k: 'train' | 'valid') {
    for await (const b of it) {
      if (k === 'train' && drawn.train + 1 === failAt) {
        tf.dispose([b.x, b.y]);
        throw new Error('decode failed: cat.jpg is truncated');
      }
      drawn[k]++;
      yield b;
    }
  }
  const data: Batches = { ...d, train: (e) => count(d.train(e), 'train'), valid: (o) => count(d.valid(o), 'valid') }; // prettier-ignore
  return { data, drawn };
}

/** A pretrained-like learner: body frozen, as vision_learner leaves it. */
function frozenLearner(data: Batches) {
  const model = visionModel(torchvisionBody('resnet-tiny', 1), 3, { seed: 2 });
  freeze(model);
  return learner(model, data);
}

async function stateOf(learn: Learner) {
  const m = learn.model;
  const opt = [...(learn.opt?.state.values() ?? [])].flatMap((s) =>
    Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor),
  );
  return {
    weights: await fingerprint([...m.params.values(), ...m.buffers.values()]),
    opt: await fingerprint(opt),
    frozenGroups: m.frozenGroups,
    dataPasses: learn.dataPasses,
    numTensors: tf.memory().numTensors,
  };
}

it('times a frozen, an unfrozen and a validation batch, each after a warm-up, and restores all', async () => {
  const { data, drawn } = counted(5);
  const learn = frozenLearner(data);
  await fitOneCycle(learn, 1, 1e-3); // an optimizer state to keep
  drawn.train = drawn.valid = 0;
  const before = await stateOf(learn);
  expect(before.frozenGroups).toBeGreaterThan(0);
  const t = await timeSteps(learn);
  expect(drawn).toEqual({ train: 4, valid: 2 });
  expect([t.nTrain, t.nValid]).toEqual([5, 3]);
  for (const ms of [t.frozenMs, t.unfrozenMs!, t.validMs, t.warmupMs])
    expect(ms).toBeGreaterThan(0);
  expect(await stateOf(learn)).toEqual(before);
  learn.opt?.dispose();
  learn.model.dispose();
});

it('a failing batch leaves the learner as it was, without an optimizer if it had none', async () => {
  const { data } = counted(5, 2);
  const learn = frozenLearner(data);
  const before = await stateOf(learn);
  await expect(timeSteps(learn)).rejects.toThrow(/cat\.jpg/);
  expect(learn.opt).toBeUndefined();
  expect(await stateOf(learn)).toEqual(before);
  learn.model.dispose();
});

it('refuses a learner without one full training batch, saying why', async () => {
  const learn = frozenLearner(counted(0).data);
  await expect(timeSteps(learn, { unfrozen: false })).rejects.toThrow(/fewer training images than the batch size/); // prettier-ignore
  learn.model.dispose();
});
