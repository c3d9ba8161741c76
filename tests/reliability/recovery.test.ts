// Fit recovery (src/reliability/recovery.ts) on the tfjs CPU backend: out-of-memory at the first
// step halves the batch size; a fault mid-epoch goes back to the last epoch-end checkpoint and
// the run ends with one row per epoch and a continuous batch history. (A lost WebGPU device
// needs a browser: e2e/reliability.spec.ts.)
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { learnState, setupLearner } from '../../src/learn/session';
import { fit, lrFind } from '../../src/reliability/recovery';
import { historyOf } from '../../src/learn/history';
import { createWorkerState } from '../../src/worker/state';
import { Callback } from '../../src/learn/learner';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Ev = { type: string } & Record<string, unknown>;

/** The Train panel's store, reduced: batch and epoch records, truncated on `trainRecovered`. */
function collector() {
  const batches: { iter: number; bs: number; epoch: number }[] = [];
  const epochs: number[] = [];
  const status: string[] = [];
  const emit = (e: Ev) => {
    if (e.type === 'trainBatch') batches.push(e as never);
    else if (e.type === 'trainEpoch') epochs.push((e.row as { epoch: number }).epoch);
    else if (e.type === 'status') status.push(e.message as string);
    else if (e.type === 'trainRecovered') {
      batches.length = e.keepBatches as number;
      epochs.length = e.keepEpochs as number;
    }
  };
  return { batches, epochs, status, emit };
}
const st = createWorkerState();
const SETUP = { arch: 'tiny-bn-cnn', size: 16, bs: 8, nTrain: 4, nValid: 1, seed: 5 } as const;

describe('fit recovery', () => {
  it('out of memory at bs 8: retries at bs 4, says so, completes', async () => {
    await setupLearner(st, SETUP);
    st.faults.oom = { aboveBs: 4, times: 1 };
    const c = collector();
    const r = await fit(st, { epochs: 2, lr: 1e-2 }, c.emit as never);
    expect(r.rows.map((x) => x.epoch)).toEqual([0, 1]);
    expect(c.status).toContain('out of GPU memory at bs 8, retrying at bs 4');
    expect(c.batches.map((b) => b.bs)).toEqual(Array(8).fill(4));
    expect(c.batches.map((b) => b.iter)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(st.learner!.setup.bs).toBe(4);
  }, 60_000);

  it('a fault mid-epoch 2 of 3: back to the epoch-1 checkpoint, rows 0..2 once, iterations 1..12 once', async () => {
    await setupLearner(st, SETUP);
    // A fault the recovery knows (an allocation failure) at iteration 6, once; bs 8 -> 4 keeps
    // 4 batches per epoch (the demo set has nTrain batches of bs).
    let fired = false;
    class Fault extends Callback {
      after_batch() {
        if (!fired && this.learn.training && this.learn.trainIter === 6) {
          fired = true;
          throw new Error('failed to allocate buffer: out of memory');
        }
      }
    }
    const fault = new Fault();
    const s = st.learner!;
    s.learn.addCbs([fault]);
    const c = collector();
    const r = await fit(st, { epochs: 3, lr: 1e-2 }, c.emit as never);
    expect(fired).toBe(true);
    expect(r.rows.map((x) => x.epoch)).toEqual([0, 1, 2]);
    expect(c.epochs).toEqual([0, 1, 2]);
    expect(c.batches.map((b) => b.iter)).toEqual([...Array(12).keys()].map((i) => i + 1));
    // Epoch 0 ran at bs 8 before the fault; epochs 1 and 2 at bs 4 after it.
    expect(c.batches.map((b) => b.bs)).toEqual([...Array(4).fill(8), ...Array(8).fill(4)]);
    // The session history has one fit record with 12 iterations and 3 epochs.
    const h = historyOf(st.learner!.learn);
    expect(h.fits).toHaveLength(1);
    expect(h.fits[0].epochsDone).toBe(3);
    expect(h.batches.map((b) => b.iter)).toEqual([...Array(12).keys()]);
    expect(h.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect((await learnState(st)).weightsHash).toMatch(/^[0-9a-f]{8}$/);
  }, 60_000);

  it('a snapshot ensemble survives a fault: the snapshot before it is kept, the later ones taken once', async () => {
    await setupLearner(st, SETUP);
    let fired = false;
    let first: unknown;
    class Fault extends Callback {
      after_batch() {
        if (!fired && this.learn.training && this.learn.trainIter === 6) {
          fired = true;
          first = st.learner!.snapshots![0];
          throw new Error('failed to allocate buffer: out of memory');
        }
      }
    }
    st.learner!.learn.addCbs([new Fault()]);
    const r = await fit(st, { policy: 'fit', epochs: 3, lr: 1e-2, snapshots: [0, 1, 2] }, () => {});
    expect(fired).toBe(true);
    expect(r.snapshots).toEqual([0, 1, 2]);
    const members = st.learner!.snapshots!;
    expect(members[0]).toBe(first);
    expect(members.map((m) => m.iter)).toEqual([4, 8, 12]);
  }, 60_000);

  it('errors it cannot recover from are rethrown unchanged', async () => {
    await setupLearner(st, SETUP);
    class Boom extends Callback {
      before_batch() {
        throw new Error('a bug, not a fault');
      }
    }
    st.learner!.learn.addCbs([new Boom()]);
    await expect(fit(st, { epochs: 1 }, () => {})).rejects.toThrow('a bug, not a fault');
  });
});

describe('lr_find under out-of-memory', () => {
  it('runs again at half the batch size, weights and Adam state as before, and says so', async () => {
    await setupLearner(st, SETUP);
    await fit(st, { epochs: 1, lr: 1e-2 }, () => {}); // Adam state and BN stats to restore
    const before = await learnState(st);
    st.faults.oom = { aboveBs: 4, times: 1 };
    const c = collector();
    const r = await lrFind(st, { numIt: 10 }, c.emit as never);
    expect(r.lrs.length).toBeGreaterThan(5);
    expect(c.status).toEqual(['lr_find: out of GPU memory at bs 8, retrying at bs 4']);
    expect(st.learner!.setup.bs).toBe(4);
    expect(await learnState(st)).toEqual(before);
  }, 60_000);

  it('at batch size 1 it stops with a clear error, the weights untouched', async () => {
    await setupLearner(st, { ...SETUP, bs: 1 });
    const before = await learnState(st);
    st.faults.oom = { aboveBs: 0, times: 1 };
    await expect(lrFind(st, { numIt: 10 }, () => {})).rejects.toThrow(
      'lr_find: out of GPU memory even at batch size 1; the weights are as before lr_find',
    );
    expect(await learnState(st)).toEqual(before);
  });
});
