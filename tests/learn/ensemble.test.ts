// Snapshot ensembles (src/learn/ensemble.ts) on the tfjs CPU backend with the tiny BN CNN: the
// snapshots are taken at SGDR's cycle ends (count, epochs, iterations, at the LR's minimum), the
// ensemble's prediction is the mean of its members', its metrics are those of that mean, the
// model's own weights come back (faults included) and no tensor is left behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cycleEnds, meanPreds, overMembers, snapshotEpochs } from '../../src/learn/ensemble';
import { ensembleCmd, snapshotWeights } from '../../src/learn/ensembleSession';
import { fitPolicy } from '../../src/learn/fitCommand';
import { learnState, setupLearner } from '../../src/learn/session';
import { loadCpuWeights, weightsToCpu } from '../../src/learn/snapshot';
import { getPreds, metricsOf } from '../../src/learn/tta';
import { createWorkerState } from '../../src/worker/state';
import type { BatchRecord, FitArgs } from '../../src/shared/protocol';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETUP = { arch: 'tiny-bn-cnn', size: 12, bs: 8, nTrain: 2, nValid: 2, seed: 5 } as const;
const st = createWorkerState();

async function run(args: FitArgs) {
  const batches: BatchRecord[] = [];
  const emit = (e: { type: string }) => {
    if (e.type === 'trainBatch') batches.push(e as unknown as BatchRecord);
  };
  return { ...(await fitPolicy(st, args, emit, [])), batches };
}

const SGDR: FitArgs = { policy: 'sgdr', epochs: 3, cycleLen: 1, cycleMult: 2, lr: 1e-2 };

describe('which epochs', () => {
  it('cycle ends of fit_sgdr: lengths cycle_len * cycle_mult^i', () => {
    expect(cycleEnds(3, 1, 2)).toEqual([0, 2, 6]);
    expect(cycleEnds(3, 2, 1)).toEqual([1, 3, 5]);
    expect(snapshotEpochs({ ...SGDR, snapshots: true })).toEqual([0, 2, 6]);
    expect(snapshotEpochs({ policy: 'fit', epochs: 4, snapshots: [3, 1, 3] })).toEqual([1, 3]);
  });

  it('refuses what does not fit, by name', () => {
    expect(() => snapshotEpochs({ policy: 'one_cycle', epochs: 3, snapshots: true })).toThrow(
      /need the sgdr policy \(got one_cycle\)/,
    );
    expect(() => snapshotEpochs({ policy: 'fine_tune', epochs: 3, snapshots: true })).toThrow(
      /fine_tune runs two fits/,
    );
    expect(() => snapshotEpochs({ policy: 'fit', epochs: 3, snapshots: [1, 3, 1.5] })).toThrow(
      "snapshots: epochs 3, 1.5 are not in this fit's 0..2",
    );
  });
});

describe('a snapshot ensemble of fit_sgdr(3, 1, cycle_mult=2)', () => {
  it('keeps 3 snapshots at the cycle ends, the last one the final weights', async () => {
    await setupLearner(st, SETUP);
    const r = await run({ ...SGDR, snapshots: true });
    expect(r.rows).toHaveLength(7);
    expect(r.snapshots).toEqual([0, 2, 6]);
    const members = st.learner!.snapshots!;
    // After epochs 1, 3 and 7 of 2 batches each.
    expect(members.map((m) => m.iter)).toEqual([2, 6, 14]);
    // Each was taken where its cycle's cosine is lowest (the next batch restarts it at lr_max).
    members.forEach((m, i) => {
      const cycle = r.batches.slice(i ? members[i - 1].iter : 0, m.iter).map((b) => b.lr);
      expect(cycle[cycle.length - 1]).toBe(Math.min(...cycle));
      expect(cycle[0]).toBeCloseTo(1e-2, 9);
    });
    const final = await weightsToCpu(st.learner!.learn.model);
    const last = members[2].weights;
    expect([...last.keys()]).toEqual([...final.keys()]);
    for (const [k, c] of final) expect(Array.from(last.get(k)!.data)).toEqual(Array.from(c.data));
    // Earlier snapshots differ from the final weights (they are not copies of one set).
    const k0 = [...final.keys()][0];
    expect(Array.from(members[0].weights.get(k0)!.data)).not.toEqual(
      Array.from(final.get(k0)!.data),
    );
    expect(snapshotWeights(st)).toEqual(members.map((m) => m.weights));
  });

  it("predicts with the mean of its members' outputs; metrics of that mean; weights kept, no leak", async () => {
    const { learn } = st.learner!;
    const members = st.learner!.snapshots!;
    const before = await learnState(st);
    const r = await ensembleCmd(st);
    const after = await learnState(st);
    expect(after.weightsHash).toBe(before.weightsHash);
    expect(after.numTensors).toBe(before.numTensors);
    // Each member's predictions by hand, on a copy of the learner's model loaded in turn.
    const own = await weightsToCpu(learn.model);
    const each: Float32Array[] = [];
    for (const m of members) {
      loadCpuWeights(learn.model, m.weights);
      each.push((await getPreds(learn)).preds);
    }
    loadCpuWeights(learn.model, own);
    const plain = await getPreds(learn);
    const mean = meanPreds(each);
    for (let j = 0; j < mean.length; j++)
      expect(mean[j]).toBeCloseTo((each[0][j] + each[1][j] + each[2][j]) / 3, 6);
    expect(r.n).toBe(16);
    expect(r.ensemble).toEqual(metricsOf(learn, plain, mean));
    expect(r.single).toEqual(metricsOf(learn, plain, plain.preds));
    expect(r.members.map((m) => m.epoch)).toEqual([0, 2, 6]);
    r.members.forEach((m, i) => expect(m.metrics).toEqual(metricsOf(learn, plain, each[i])));
    // The final weights are the last snapshot: its metrics are the single model's.
    expect(r.members[2].metrics).toEqual(r.single);
    expect(Object.keys(r.ensemble)).toEqual(Object.keys(r.single));
  });

  it("a fault mid-ensemble puts the model's weights back and leaks nothing", async () => {
    const { model } = st.learner!.learn;
    const before = await learnState(st);
    let calls = 0;
    const boom = overMembers(model, st.learner!.snapshots!, async () => {
      if (++calls === 2) throw new Error('lost device');
      return calls;
    });
    await expect(boom).rejects.toThrow('lost device');
    const after = await learnState(st);
    expect(after.weightsHash).toBe(before.weightsHash);
    expect(after.numTensors).toBe(before.numTensors);
  });

  it('a later fit without snapshots drops them; ensemble then says how to get some', async () => {
    await run({ policy: 'fit', epochs: 1, lr: 1e-3 });
    expect(st.learner!.snapshots).toBeUndefined();
    await expect(ensembleCmd(st)).rejects.toThrow(/no snapshots kept: train with sgdr/);
    await expect(run({ policy: 'one_cycle', epochs: 2, snapshots: true })).rejects.toThrow(
      /need the sgdr policy/,
    );
  });

  it('chosen epochs of a plain fit', async () => {
    await setupLearner(st, SETUP);
    const r = await run({ policy: 'fit', epochs: 3, lr: 1e-3, snapshots: [0, 2] });
    expect(r.snapshots).toEqual([0, 2]);
    expect(st.learner!.snapshots!.map((m) => m.iter)).toEqual([2, 6]);
  });
});

it('meanPreds refuses nothing or mismatched lengths', () => {
  expect(() => meanPreds([])).toThrow(/no snapshots/);
  expect(() => meanPreds([[1, 2], [1]])).toThrow(/1 values, expected 2/);
  expect(
    Array.from(
      meanPreds([
        [1, 2],
        [3, 6],
      ]),
    ),
  ).toEqual([2, 4]);
});
