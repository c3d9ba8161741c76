// The fit's options on the Learner session (src/learn/session.ts) on the tfjs CPU backend: the
// optimizer choice, fit_one_cycle's moms, fit_sgdr's cycles, keep-best (the kept row's weights
// are the model's afterwards), progressive resizing (same weights and optimizer state at a new
// size), and learn.tta()'s metrics next to the plain ones.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { learnState, setupLearner, ttaCmd } from '../../src/learn/session';
import { fitPolicy } from '../../src/learn/fitCommand';
import { Callback } from '../../src/learn/learner';
import { momentumStep, sgdStep } from '../../src/learn/optimizer';
import { getPreds } from '../../src/learn/tta';
import { createWorkerState } from '../../src/worker/state';
import type { BatchRecord, FitArgs } from '../../src/shared/protocol';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETUP = { arch: 'tiny-bn-cnn', size: 16, bs: 8, nTrain: 3, nValid: 2, seed: 4 } as const;
const st = createWorkerState();

/** One fit policy; the training batches' records, and `cbs` in the loop. */
async function run(args: FitArgs, cbs: Callback[] = []) {
  const batches: BatchRecord[] = [];
  const emit = (e: { type: string }) => {
    if (e.type === 'trainBatch') batches.push(e as unknown as BatchRecord);
  };
  const r = await fitPolicy(st, args, emit, cbs);
  return { ...r, batches };
}

/** What a fit starts from: weights and optimizer state, and the batches' shape. */
class Peek extends Callback {
  state?: Awaited<ReturnType<typeof learnState>>;
  shape: number[] = [];
  async before_fit() {
    this.state = await learnState(st);
  }
  before_batch() {
    this.shape = this.learn.x!.shape;
  }
}

describe('the optimizer', () => {
  it('SGD with momentum from the setup, plain SGD at mom 0, back to Adam from a fit', async () => {
    await setupLearner(st, { ...SETUP, opt: 'sgd', mom: 0.9 });
    await run({ epochs: 1, lr: 1e-2, policy: 'fit' });
    expect(st.learner!.learn.opt!.steppers).toContain(momentumStep);
    expect(st.learner!.learn.opt!.hypers[0].mom).toBe(0.9);
    await run({ epochs: 1, lr: 1e-2, policy: 'fit', mom: 0 });
    expect(st.learner!.learn.opt!.steppers).toContain(sgdStep);
    await run({ epochs: 1, lr: 1e-2, policy: 'fit', opt: 'adam' });
    expect(Object.keys(st.learner!.learn.opt!.hypers[0])).toContain('sqr_mom');
    expect(st.learner!.setup).toMatchObject({ opt: 'adam', mom: 0 });
  });

  it('fit_one_cycle follows the moms given: 0.9 down to 0.8 and back', async () => {
    await setupLearner(st, SETUP);
    const { batches } = await run({ epochs: 2, lr: 1e-2, moms: [0.9, 0.8, 0.9] });
    const moms = batches.map((b) => b.mom);
    expect(moms[0]).toBeCloseTo(0.9, 6);
    expect(Math.min(...moms)).toBeCloseTo(0.8, 2);
  });
});

it('fit_sgdr(2, 1, cycle_mult=2): 3 epochs, the LR back at its max when the second cycle starts', async () => {
  await setupLearner(st, SETUP);
  const r = await run({ policy: 'sgdr', epochs: 2, cycleLen: 1, cycleMult: 2, lr: 1e-2 });
  expect(r.rows).toHaveLength(3);
  expect(r.batches[0].lr).toBeCloseTo(1e-2, 9);
  expect(r.batches[3].lr).toBeCloseTo(1e-2, 9); // epoch 1 starts the second (2-epoch) cycle
  // Two thirds into the first cycle: cosine from lr_max to 0, (1 + cos(2π/3)) / 2 = 1/4.
  expect(r.batches[2].lr).toBeCloseTo(2.5e-3, 9);
});

it("keep best: the kept row is the lowest valid_loss, and the model's valid loss is that row's", async () => {
  await setupLearner(st, SETUP);
  // A constant high LR, so the valid loss does not simply fall epoch after epoch.
  const r = await run({ policy: 'fit', epochs: 4, lr: 0.05, saveBest: true });
  const losses = r.rows.map((x) => x.validLoss);
  expect(r.kept).toBe(losses.indexOf(Math.min(...losses)));
  expect(r.kept).toBeLessThan(3); // not the last epoch: the restore is what the check sees
  const o = await getPreds(st.learner!.learn);
  let nll = 0;
  for (let i = 0; i < o.n; i++) nll -= Math.log(o.preds[i * o.c + o.targs[i]]);
  expect(nll / o.n).toBeCloseTo(losses[r.kept!], 4);
});

it('continue at a larger size: same weights and optimizer state, the batches at the new size', async () => {
  await setupLearner(st, SETUP);
  await run({ epochs: 1, lr: 1e-2 });
  const before = await learnState(st);
  const peek = new Peek();
  const r = await run({ epochs: 1, lr: 1e-3, size: 24 }, [peek]);
  expect(r.size).toBe(24);
  expect(st.learner!.setup.size).toBe(24);
  expect(peek.shape.slice(1, 3)).toEqual([24, 24]);
  // The fit at 24 px started from the 16 px fit's weights and Adam state, bit for bit.
  expect(before.optHash).not.toBe('');
  expect(peek.state).toMatchObject({ weightsHash: before.weightsHash, optHash: before.optHash });
});

it("tta: the learner's metrics without and with TTA; without is the last epoch's", async () => {
  await setupLearner(st, SETUP);
  const r = await run({ epochs: 1, lr: 1e-2 });
  const t = await ttaCmd(st, { n: 2 });
  expect(t.n).toBe(16);
  expect(Object.keys(t.tta)).toEqual(Object.keys(r.rows[0].metrics));
  expect(t.plain.accuracy).toBeCloseTo(r.rows[0].metrics.accuracy, 6);
  expect(t.tta.accuracy).toBeGreaterThanOrEqual(0);
});
