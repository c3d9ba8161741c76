// Validation on the wasm engine (src/learn/engineValidation.ts): on SwiftShader the Learner's
// validation loop runs on wasm copies of the epoch's weights; the Recorder's valid loss and
// metrics match a run validated on the model's own backend (no dropout: both runs train alike),
// and nothing is left behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it, vi } from 'vitest';
import { gpu, SWIFTSHADER } from '../engine/fakeAdapter';
import type { EngineChoice } from '../../src/shared/engines';
import { onEngineChoice } from '../../src/engine/cpuEngine/choose';
import { Recorder } from '../../src/learn/callbacks';
import { demoBatches } from '../../src/learn/demoData';
import { EngineValidation } from '../../src/learn/engineValidation';
import { fitOneCycle, learner } from '../../src/learn/fit';
import type { Batches } from '../../src/learn/batches';
import { accuracy } from '../../src/learn/metrics';
import { visionModel } from '../../src/models/head';
import { torchvisionBody } from '../../src/models/resnet';

vi.mock('idb-keyval', async () => (await import('../engine/fakeAdapter')).idbWasmTimed());
vi.mock('../../src/engine/device', async (orig) =>
  (await import('../engine/fakeAdapter')).deviceMock(orig as never),
);

const choices: EngineChoice[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  onEngineChoice((c) => choices.push(c));
});

async function fitOnce(adapter: object | undefined, data?: Batches) {
  gpu.info = adapter;
  const model = visionModel(torchvisionBody('resnet18', 1), 3, { seed: 2, ps: 0 });
  const d = data ?? demoBatches({ size: 16, bs: 8, nTrain: 1, nValid: 2, seed: 4 });
  const learn = learner(model, d, { metrics: [accuracy] });
  const before = tf.memory().numTensors;
  try {
    await fitOneCycle(learn, 2, 1e-3, { cbs: [new EngineValidation()] });
    return learn.cb(Recorder)!.values;
  } finally {
    learn.opt?.dispose();
    expect(learn.model).toBe(model);
    expect(learn.data).toBe(d);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - model.params.size - model.buffers.size);
    expect(tf.getBackend()).toBe('cpu');
  }
}

it('validates on wasm on SwiftShader with the same valid loss and accuracy', async () => {
  const ref = await fitOnce(undefined);
  const got = await fitOnce(SWIFTSHADER);
  const validate = choices.filter((c) => c.phase === 'validate' && c.engine === 'wasm');
  expect(validate.map((c) => c.reason)).toEqual(['cached', 'cached']);
  expect(got.map((r) => r.trainLoss)).toEqual(ref.map((r) => r.trainLoss));
  got.forEach((r, i) => {
    expect(r.validLoss).toBeCloseTo(ref[i].validLoss, 4);
    expect(r.metrics.accuracy).toBe(ref[i].metrics.accuracy);
  });
});

it('a validation batch that fails on wasm restores model, data and backend', async () => {
  const d = demoBatches({ size: 16, bs: 8, nTrain: 1, nValid: 2, seed: 4 });
  const failing: Batches = {
    ...d,
    async *valid(o) {
      for await (const b of d.valid(o)) {
        yield b; // the first batch validates, the second fails to decode
        throw new Error('decode failed: dog.png is truncated');
      }
    },
  };
  await expect(fitOnce(SWIFTSHADER, failing)).rejects.toThrow(/dog\.png/);
});
