// The wasm engine's forward (src/engine/cpuEngine): the model's own forward on wasm copies of
// its weights equals the forward on the model's backend (tfjs-cpu here, webgpu in the worker),
// leaves the model's variables where they were, and leaks nothing, error paths included.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { mirrorModel } from '../../src/engine/cpuEngine/mirror';
import { onWasm, startWasm } from '../../src/engine/cpuEngine/wasm';
import { tinyBnCnn } from '../../src/learn/demoNet';
import type { Model } from '../../src/models/model';
import { kerasResnet50Body } from '../../src/models/kerasResnet50';
import { poolLinearHead, torchvisionResnet, withHead } from '../../src/models/resnet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Running stats away from (0, 1) and BN affine params away from (1, 0), so eval BN matters. */
function seedBuffers(m: Model, seed: number) {
  let s = seed;
  tf.tidy(() => {
    for (const [k, v] of [...m.params, ...m.buffers]) {
      if (k.endsWith('running_var')) v.assign(tf.randomUniform(v.shape, 0.5, 2, 'float32', s++));
      else if (/running_mean|bn.*\.(weight|bias)|downsample\.1/.test(k))
        v.assign(
          tf.randomUniform(v.shape, -0.5, 0.5, 'float32', s++).add(k.endsWith('weight') ? 1 : 0),
        );
    }
  });
}

const input = (shape: number[], seed: number) =>
  Array.from(tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed)).dataSync());

/** max |a - b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>) {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

async function compare(model: Model, shape: [number, number, number, number], body = false) {
  const x = input(shape, 7);
  const run = (m: Model, xt: tf.Tensor4D) =>
    body ? m.body!.forward(xt, false) : m.forward(xt, { training: false });
  const ref = tf.tidy(() => run(model, tf.tensor4d(x, shape)));
  const want = await ref.data();
  ref.dispose();
  const before = tf.memory().numTensors;
  const got = await onWasm(async () => {
    expect(tf.getBackend()).toBe('wasm');
    const m = await mirrorModel(model);
    try {
      const out = tf.tidy(() => run(m, tf.tensor4d(x, shape)));
      const d = await out.data();
      out.dispose();
      return d;
    } finally {
      m.dispose();
    }
  });
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  // The model's own variables never moved to wasm (a webgpu tensor would be read back slowly).
  const cpu = tf.findBackend('cpu');
  const info = (
    tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: unknown }> } }
  ).state.tensorInfo;
  for (const v of [...model.params.values(), ...model.buffers.values()])
    expect(info.get(v.dataId)?.backend).toBe(cpu);
  expect(got.length).toBe(want.length);
  return relErr(got, want);
}

it('loads the wasm backend with SIMD in Node', async () => {
  const info = await startWasm();
  expect(info).toMatchObject({ ok: true, simd: true });
  expect(tf.getBackend()).toBe('cpu');
});

it('ResNet-18 at 32 px: the wasm forward equals tfjs-cpu within 1e-4 relative', async () => {
  const m = torchvisionResnet('resnet18', 10, 3);
  seedBuffers(m, 11);
  expect(await compare(m, [2, 32, 32, 3])).toBeLessThan(1e-4);
  m.dispose();
});

it('resnet-tiny, the Keras ResNet50 body (features) and the demo net agree too', async () => {
  const tiny = torchvisionResnet('resnet-tiny', 5, 1);
  seedBuffers(tiny, 5);
  expect(await compare(tiny, [3, 32, 32, 3])).toBeLessThan(1e-4);
  tiny.dispose();
  const keras = withHead(kerasResnet50Body(2), poolLinearHead('fc1000', 2048, 4, 9));
  seedBuffers(keras, 8);
  expect(await compare(keras, [1, 32, 32, 3], true)).toBeLessThan(1e-4);
  keras.dispose();
  const demo = tinyBnCnn(3, 4);
  expect(await compare(demo, [2, 16, 16, 3])).toBeLessThan(1e-4);
  demo.dispose();
});

it('an error inside the wasm phase restores the backend, the weights and leaks nothing', async () => {
  const m = torchvisionResnet('resnet-tiny', 5, 1);
  const params = new Map(m.params);
  const before = tf.memory().numTensors;
  await expect(
    onWasm(async () => {
      const w = await mirrorModel(m);
      try {
        // 4 channels into a 3-channel stem: conv2d throws mid-forward.
        tf.tidy(() => w.forward(tf.zeros([1, 16, 16, 4]) as tf.Tensor4D, { training: false }));
      } finally {
        w.dispose();
      }
    }),
  ).rejects.toThrow(/channel|depth|match/i);
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  for (const [k, v] of params) expect(m.params.get(k)).toBe(v);
  m.dispose();
});
