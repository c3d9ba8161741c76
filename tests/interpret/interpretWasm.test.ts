// interpret on the engine chosen per adapter: on SwiftShader the validation forward runs on the
// wasm engine and gives the same probabilities and losses as on the model's own backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { gpu, SWIFTSHADER } from '../engine/fakeAdapter';
import type { EngineChoice } from '../../src/shared/engines';
import { onEngineChoice } from '../../src/engine/cpuEngine/choose';
import { interpret } from '../../src/learn/interpretSession';
import { disposeLearner, setupLearner } from '../../src/learn/session';
import { createWorkerState } from '../../src/worker/state';

vi.mock('idb-keyval', async () => (await import('../engine/fakeAdapter')).idbWasmTimed());
vi.mock('../../src/engine/device', async (orig) =>
  (await import('../engine/fakeAdapter')).deviceMock(orig as never),
);

const choices: EngineChoice[] = [];
const st = createWorkerState();
beforeAll(async () => {
  await tf.setBackend('cpu');
  onEngineChoice((c) => choices.push(c));
  await setupLearner(st, { arch: 'resnet18', size: 32, bs: 8, nTrain: 1, nValid: 2, seed: 3 });
});
afterAll(() => disposeLearner(st));

it('interpret on SwiftShader runs on wasm, same numbers as on the main backend', async () => {
  const ref = await interpret(st, { k: 3 });
  expect(choices.at(-1)).toMatchObject({ phase: 'interpret', engine: 'webgpu', reason: 'gpu' });
  gpu.info = SWIFTSHADER;
  const before = tf.memory().numTensors;
  const got = await interpret(st, { k: 3 });
  expect(choices.at(-1)).toMatchObject({ phase: 'interpret', engine: 'wasm', reason: 'cached' });
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  expect(got.n).toBe(16);
  expect(got.actual).toEqual(ref.actual);
  got.probs.forEach((p, i) => expect(p).toBeCloseTo(ref.probs[i], 4));
  got.losses.forEach((l, i) =>
    expect(Math.abs(l - ref.losses[i])).toBeLessThan(1e-4 * (1 + ref.losses[i])),
  );
});
