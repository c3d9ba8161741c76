// fastai Adam/SGD steppers against values computed by hand from fastai/optimizer.py.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, SGD } from '../../src/learn/optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const one = (v: number) => tf.variable(tf.tensor1d([v]));
const value = (v: tf.Variable) => v.dataSync()[0];

describe('Adam (mom .9, sqr_mom .99, eps 1e-5, decoupled wd .01)', () => {
  it('two steps match the hand-computed fastai update; no wd on no-wd params', () => {
    const params = new Map([
      ['fc.weight', one(1)],
      ['fc.bias', one(1)],
    ]);
    const opt = Adam({ lr: 0.1 })(params, [['fc.weight', 'fc.bias']], new Set(['fc.bias']));
    const before = tf.memory().numTensors;
    for (const g of [0.5, -0.2]) {
      const grads = new Map([...params.keys()].map((k) => [k, tf.tensor1d([g])]));
      opt.step(grads);
      tf.dispose([...grads.values()]);
    }
    // p *= 1 - lr*wd; grad_avg = .9 ga + .1 g; sqr_avg = .99 sa + .01 g^2;
    // p -= lr/(1-.9^t) * grad_avg / (sqrt(sqr_avg/(1-.99^t)) + eps)   (python3, float64)
    expect(value(params.get('fc.weight')!)).toBeCloseTo(0.8634865425606629, 6);
    // Without decay: step 1 = 1 - .1*.5/(.5+1e-5); step 2 likewise from the same averages.
    let p = 1, ga = 0, sa = 0; // prettier-ignore
    for (const [t, g] of [
      [1, 0.5],
      [2, -0.2],
    ]) {
      ga = 0.9 * ga + 0.1 * g;
      sa = 0.99 * sa + 0.01 * g * g;
      p -= ((0.1 / (1 - 0.9 ** t)) * ga) / (Math.sqrt(sa / (1 - 0.99 ** t)) + 1e-5);
    }
    expect(value(params.get('fc.bias')!)).toBeCloseTo(p, 6);
    expect(opt.state.get('fc.weight')!.step).toBe(2);
    // State: grad_avg and sqr_avg per param, replaced each step (no leak).
    expect(tf.memory().numTensors).toBe(before + 4);
    const snap = opt.snapshot();
    opt.restore(snap);
    expect(tf.memory().numTensors).toBe(before + 4);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('per-group hypers: slice gives each group its own lr', () => {
    const params = new Map([
      ['a', one(0)],
      ['b', one(0)],
    ]);
    const opt = Adam({ wd: 0 })(params, [['a'], ['b']], new Set());
    opt.setHyper('lr', { lo: 1e-3, hi: 1e-1 });
    const grads = new Map([...params.keys()].map((k) => [k, tf.tensor1d([1])]));
    opt.step(grads);
    // First Adam step moves by lr * g/(|g| + eps).
    expect(value(params.get('a')!)).toBeCloseTo(-1e-3 / (1 + 1e-5), 7);
    expect(value(params.get('b')!)).toBeCloseTo(-1e-1 / (1 + 1e-5), 6);
  });
});

describe('SGD', () => {
  it('momentum is undampened: grad_avg = mom*grad_avg + g', () => {
    const params = new Map([['w', one(1)]]);
    const opt = SGD({ lr: 0.1, mom: 0.9 })(params, [['w']], new Set());
    for (const g of [1, 1]) opt.step(new Map([['w', tf.tensor1d([g])]]));
    expect(value(params.get('w')!)).toBeCloseTo(1 - 0.1 * 1 - 0.1 * 1.9, 6);
  });
  it('plain SGD with decoupled wd', () => {
    const params = new Map([['w', one(1)]]);
    const opt = SGD({ lr: 0.1, wd: 0.5 })(params, [['w']], new Set());
    opt.step(new Map([['w', tf.tensor1d([2])]]));
    expect(value(params.get('w')!)).toBeCloseTo(1 * (1 - 0.05) - 0.2, 6);
  });
});
