// Forward-only phases on the engine chosen per adapter (src/engine/cpuEngine/choose.ts): a GPU
// keeps everything, an emulated adapter times both engines once and the faster one (wasm, for
// a ResNet) caches the body features for precompute; same features, nothing leaked.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it, vi } from 'vitest';
import { gpu, HARDWARE, SWIFTSHADER } from './fakeAdapter';
import { engineLine, type EngineChoice } from '../../src/shared/engines';
import { emulated, onEngineChoice } from '../../src/engine/cpuEngine/choose';
import { demoBatches } from '../../src/learn/demoData';
import type { Batches } from '../../src/learn/batches';
import { precompute } from '../../src/learn/precompute';
import { visionModel } from '../../src/models/head';
import { torchvisionBody } from '../../src/models/resnet';

vi.mock('../../src/engine/device', async (orig) =>
  (await import('./fakeAdapter')).deviceMock(orig as never),
);

const choices: EngineChoice[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  onEngineChoice((c) => choices.push(c));
});

const model = () => visionModel(torchvisionBody('resnet18', 1), 3, { seed: 2 });
const data = () => demoBatches({ size: 32, bs: 8, nTrain: 2, nValid: 1, seed: 9 });

async function features(m: ReturnType<typeof model>, d: Batches) {
  const pre = await precompute(m as never, d, 8, 3);
  const rows: number[] = [];
  for await (const b of pre.data.valid()) {
    rows.push(...(await b.x.data()));
    tf.dispose([b.x, b.y]);
  }
  for await (const b of pre.data.train(0)) {
    rows.push(...(await b.x.data()), ...(await b.y.data()));
    tf.dispose([b.x, b.y]);
  }
  pre.dispose();
  return rows;
}

it('knows an emulated adapter', () => {
  expect(emulated(SWIFTSHADER)).toBe(true);
  expect(emulated({ ...HARDWARE, isFallbackAdapter: true })).toBe(true);
  expect(emulated(HARDWARE)).toBe(false);
});

it('precompute: webgpu untimed on a GPU; on SwiftShader timed once, wasm, the same features', async () => {
  const m = model();
  const before = tf.memory().numTensors;
  gpu.info = HARDWARE;
  const ref = await features(m, data());
  expect(choices.at(-1)).toEqual({ phase: 'precompute', engine: 'webgpu', reason: 'gpu' });
  gpu.info = SWIFTSHADER;
  const got = await features(m, data());
  const timed = choices.filter((c) => c.reason === 'timed');
  expect(timed).toHaveLength(1);
  expect(timed[0]).toMatchObject({ phase: 'precompute', engine: 'wasm' });
  expect(timed[0].ms!.wasm).toBeLessThan(timed[0].ms!.webgpu);
  // train + valid: timed for the first set, remembered for the second.
  expect(choices.at(-1)).toMatchObject({ engine: 'wasm', reason: 'cached' });
  expect(got.length).toBe(ref.length);
  const scale = Math.max(...ref.map(Math.abs));
  expect(Math.max(...got.map((v, i) => Math.abs(v - ref[i])))).toBeLessThan(1e-4 * scale);
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  m.dispose();
});

it('a batch failing mid-phase on wasm leaks nothing and restores the backend', async () => {
  gpu.info = SWIFTSHADER;
  const m = model();
  const d = data();
  const before = tf.memory().numTensors;
  const failing: Batches = {
    ...d,
    async *train(epoch) {
      let i = 0;
      for await (const b of d.train(epoch)) {
        if (i++ === 1) {
          tf.dispose([b.x, b.y]);
          throw new Error('decode failed: cat.jpg is not an image');
        }
        yield b;
      }
    },
  };
  await expect(precompute(m as never, failing, 8)).rejects.toThrow(/cat\.jpg/);
  expect(choices.at(-1)).toMatchObject({ engine: 'wasm' });
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  m.dispose();
});

it("says each phase's engine in one line, with the timed ratio", () => {
  expect(
    engineLine([
      { phase: 'precompute', engine: 'wasm', reason: 'timed', ms: { webgpu: 980, wasm: 100 } },
      { phase: 'interpret', engine: 'webgpu', reason: 'gpu' },
    ]),
  ).toBe('precompute: wasm (9.8x faster than webgpu) · interpret: webgpu');
});
