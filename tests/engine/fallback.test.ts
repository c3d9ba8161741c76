// The engine without WebGPU (src/engine/fallback.ts): tfjs-wasm as the main backend. The head
// trains on precomputed body features and a frozen model's step runs (lr_find, fit: the BN
// gradients go through Conv2DBackpropInput, which wasm has); training conv weights needs
// Conv2DBackpropFilter, which wasm lacks: refused up front.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { chooseEngine } from '../../src/engine/cpuEngine/choose';
import { fallbackEngine, refusal, startFallback } from '../../src/engine/fallback';
import { Recorder } from '../../src/learn/callbacks';
import { demoBatches } from '../../src/learn/demoData';
import { fitOneCycle, learner, onPrecomputed } from '../../src/learn/fit';
import { accuracy } from '../../src/learn/metrics';
import { visionModel } from '../../src/models/head';
import { torchvisionBody } from '../../src/models/resnet';

beforeAll(async () => {
  await startFallback('navigator.gpu is missing (test).');
});

const model = () => visionModel(torchvisionBody('resnet18', 1), 3, { seed: 2 });
const data = () => demoBatches({ size: 32, bs: 4, nTrain: 2, nValid: 1, seed: 9 });
const frozen = () => false;

it('runs on wasm and says why', async () => {
  expect(tf.getBackend()).toBe('wasm');
  expect(fallbackEngine()).toEqual({ backend: 'wasm', reason: 'navigator.gpu is missing (test).' });
  const m = model();
  const spec = { phase: 'predict', model: m, shape: [1, 32, 32, 3] } as const;
  expect(await chooseEngine(spec)).toEqual({
    phase: 'predict',
    engine: 'wasm',
    reason: 'no-webgpu',
  });
  m.dispose();
});

it('refuses what needs WebGPU kernels or trains the body, with the way out', () => {
  expect(refusal('kernelCheck', {}, frozen)).toMatch(/WebGPU kernels: not available on wasm/);
  expect(refusal('setStudioKernels', { enabled: true }, frozen)).toBeDefined();
  expect(refusal('fit', { epochs: 1 }, () => true)).toMatch(/unfrozen.*tick “precompute”/);
  expect(refusal('fit', { epochs: 1 }, frozen)).toBeUndefined();
  expect(refusal('fit', { epochs: 1, precompute: true }, () => true)).toBeUndefined();
  expect(refusal('fit', { epochs: 1, precompute: true, policy: 'fine_tune' }, frozen)).toMatch(
    /fine_tune unfreezes the body, which needs WebGPU/,
  );
  expect(refusal('fit', { epochs: 1, precompute: true }, frozen)).toBeUndefined();
  expect(refusal('fit', { epochs: 1, precompute: true, policy: 'sgdr' }, frozen)).toBeUndefined();
  expect(refusal('lrFind', {}, frozen)).toBeUndefined();
  expect(refusal('lrFind', {}, () => true)).toMatch(/unfrozen/);
  expect(refusal('estimateStep', {}, frozen)).toMatch(/unfrozen step/);
  expect(refusal('estimateStep', { unfrozen: false }, frozen)).toBeUndefined();
  expect(refusal('predict', {}, () => true)).toBeUndefined();
  expect(refusal('importFiles', {} as never, () => true)).toBeUndefined();
});

it('trains the head on precomputed features on wasm: loss falls, body kept, nothing leaked', async () => {
  const m = model();
  const learn = learner(m, data(), { metrics: [accuracy] });
  const body = Array.from(m.params.get('conv1.weight')!.dataSync());
  const before = tf.memory().numTensors;
  let losses: number[] = [];
  await onPrecomputed(learn, { bs: 4, seed: 1 }, async (head) => {
    await fitOneCycle(head, 6, 1e-2);
    losses = head.cb(Recorder)!.values.map((r) => r.trainLoss);
  });
  expect(losses).toHaveLength(6);
  expect(losses.every(Number.isFinite)).toBe(true);
  // The head has dropout (unseeded masks): six epochs, so the fall outruns their noise.
  expect(losses[5]).toBeLessThan(losses[0]);
  expect(Array.from(m.params.get('conv1.weight')!.dataSync())).toEqual(body);
  learn.opt?.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.getBackend()).toBe('wasm');
  m.dispose();
});

it('a frozen step (lr_find, fit) trains the BN params through the body on wasm', async () => {
  const m = model();
  const learn = learner(m, data());
  learn.freeze();
  const bn = Array.from(m.params.get('bn1.weight')!.dataSync());
  const conv = Array.from(m.params.get('conv1.weight')!.dataSync());
  await learn.fit(1, { lr: 1e-2 });
  expect(Array.from(m.params.get('bn1.weight')!.dataSync())).not.toEqual(bn);
  expect(Array.from(m.params.get('conv1.weight')!.dataSync())).toEqual(conv);
  learn.opt?.dispose();
  m.dispose();
});
