// Architectures, fastai head surgery, freeze/unfreeze and BatchNorm/Dropout modes (tfjs cpu, tiny shapes).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { cutBody, visionModel } from '../../src/models/head';
import { kerasResnet50Body } from '../../src/models/kerasResnet50';
import { globalPool } from '../../src/models/layers';
import { freeze, trainableKeys, unfreeze, type Model } from '../../src/models/model';
import { torchvisionBody, torchvisionResnet } from '../../src/models/resnet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = () => tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;

/** Which params get a non-zero gradient of a loss over the model's trainable keys. */
function gradKeys(model: Model): string[] {
  const keys = trainableKeys(model);
  const input = x();
  const { grads, value } = tf.variableGrads(
    () => tf.sum(tf.square(model.forward(input, { training: true }))) as tf.Scalar,
    keys.map((k) => model.params.get(k)!),
  );
  const byId = new Map(keys.map((k) => [model.params.get(k)!.name, k]));
  const nonZero = Object.entries(grads)
    .filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0)
    .map(([name]) => byId.get(name)!);
  tf.dispose([input, value, ...Object.values(grads)]);
  return nonZero.sort();
}

describe('torchvision layouts', () => {
  it('has torchvision state_dict keys and the v1.5 bottleneck (stride in conv2)', () => {
    const r18 = torchvisionBody('resnet18');
    // torchvision resnet18 state_dict: 122 entries - fc (2) - num_batches_tracked (20).
    expect(r18.params.size + r18.buffers.size).toBe(100);
    expect(r18.params.get('layer2.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 128]);
    const r50 = torchvisionBody('resnet50');
    expect(r50.params.get('layer2.0.conv2.weight')!.shape).toEqual([3, 3, 128, 128]);
    expect(r50.params.get('layer4.2.conv3.weight')!.shape).toEqual([1, 1, 512, 2048]);
    expect(r50.buffers.has('layer3.5.bn3.running_var')).toBe(true);
    expect(r50.nf).toBe(2048);
    const k = kerasResnet50Body();
    expect(k.params.get('res3a_branch2a.weight')!.shape).toEqual([1, 1, 256, 128]);
    expect(k.params.has('res3a_branch2a.bias')).toBe(true);
    for (const b of [r18, r50, k])
      [...b.params.values(), ...b.buffers.values()].forEach((v) => v.dispose());
  }, 120_000); // builds (random-inits) three full-size ResNets on the slow CPU backend

  it('ResNet-tiny: 1000-way logits, eval is deterministic, BN running stats move only in training', async () => {
    const m = torchvisionResnet('resnet-tiny', 10, 0);
    const input = x();
    const rm = m.buffers.get('bn1.running_mean')!;
    const e1 = m.forward(input, { training: false });
    const e2 = m.forward(input, { training: false });
    expect(e1.shape).toEqual([2, 10]);
    expect(await e1.data()).toEqual(await e2.data());
    expect([...(await rm.data())].every((v) => v === 0)).toBe(true);
    // Training: running_mean = 0.9 * 0 + 0.1 * batch mean of bn1's input (conv1 output).
    const batchMean = tf.tidy(() =>
      tf.mean(tf.conv2d(input, m.params.get('conv1.weight') as tf.Tensor4D, 2, 3), [0, 1, 2]),
    );
    tf.dispose(m.forward(input, { training: true }));
    const got = await rm.data();
    const want = await batchMean.data();
    got.forEach((v, i) => expect(v).toBeCloseTo(0.1 * want[i], 5));
    tf.dispose([input, e1, e2, batchMean]);
    m.dispose();
  });
});

describe('fastai vision_learner surgery', () => {
  it('cuts the body and adds create_head: concat pool, BN, Dropout, Linear(no bias) x2', async () => {
    const full = torchvisionResnet('resnet-tiny', 1000, 0);
    const convBefore = await full.params.get('conv1.weight')!.data();
    const fc = full.params.get('fc.weight')!;
    const m = visionModel(cutBody(full), 3, { seed: 1 });
    expect(fc.isDisposed).toBe(true);
    expect(await m.params.get('conv1.weight')!.data()).toEqual(convBefore); // pretrained body kept
    const head = [...m.params.keys()].filter((k) => k.startsWith('head.'));
    expect(head).toEqual([
      'head.2.weight',
      'head.2.bias',
      'head.4.weight',
      'head.6.weight',
      'head.6.bias',
      'head.8.weight',
    ]);
    expect(m.params.get('head.2.weight')!.shape).toEqual([32]); // BN(2 * nf), nf = 16
    expect(m.params.get('head.4.weight')!.shape).toEqual([32, 512]);
    expect(m.params.get('head.8.weight')!.shape).toEqual([512, 3]);
    expect(await m.params.get('head.6.bias')!.data()).toEqual(new Float32Array(512).fill(1e-3));
    // kaiming_normal_ (fan_in 512): std sqrt(2/512) = 0.0625.
    const std = tf.tidy(
      () => tf.sqrt(tf.moments(m.params.get('head.8.weight')!).variance).dataSync()[0],
    );
    expect(std).toBeGreaterThan(0.055);
    expect(std).toBeLessThan(0.07);
    expect(m.groups.map((g) => g.length)).toEqual([m.groups[0].length, m.groups[1].length, 6]);
    expect(m.groups[0].every((k) => /^(conv1|bn1|layer1|layer2)\./.test(k))).toBe(true);
    expect(m.groups[1].every((k) => /^(layer3|layer4)\./.test(k))).toBe(true);
    m.dispose();
  });

  it('dropout is active only in training', async () => {
    const m = visionModel(torchvisionBody('resnet-tiny'), 3);
    const input = x();
    const [a, b] = [m.forward(input, { training: false }), m.forward(input, { training: false })];
    expect(await a.data()).toEqual(await b.data());
    // Train-mode twice: BN uses the same batch stats, so only dropout can make them differ.
    const [c, d] = [m.forward(input, { training: true }), m.forward(input, { training: true })];
    expect(await c.data()).not.toEqual(await d.data());
    tf.dispose([input, a, b, c, d]);
    m.dispose();
  });

  it('freeze() trains the head and every BN; unfreeze() trains everything', () => {
    const m = visionModel(torchvisionBody('resnet-tiny'), 3, { seed: 2 });
    const all = [...m.params.keys()].sort();
    const bnOrHead = all.filter(
      (k) => k.startsWith('head.') || m.buffers.has(k.replace(/\.(weight|bias)$/, '.running_mean')),
    );
    freeze(m);
    const frozen = gradKeys(m);
    expect(frozen).toEqual(bnOrHead);
    expect(frozen).not.toContain('conv1.weight');
    expect(frozen).toContain('layer1.0.bn1.weight');
    unfreeze(m);
    expect(gradKeys(m)).toEqual(all);
    m.dispose();
  });
});

describe('globalPool', () => {
  it('is tf.mean / tf.max over H and W, values and gradients', () => {
    const shapes: [number, number, number, number][] = [
      [2, 3, 5, 4],
      [3, 1, 1, 6],
    ];
    for (const shape of shapes) {
      const f = tf.randomNormal(shape, 0, 1, 'float32', 9) as tf.Tensor4D;
      const dy = tf.randomNormal([shape[0], shape[3]], 0, 1, 'float32', 10);
      for (const kind of ['avg', 'max'] as const) {
        const ref = (t: tf.Tensor) => (kind === 'avg' ? tf.mean(t, [1, 2]) : tf.max(t, [1, 2]));
        const ours = (t: tf.Tensor) => globalPool(t as tf.Tensor4D, kind);
        expect(ours(f).shape).toEqual([shape[0], shape[3]]);
        const diff = tf.max(tf.abs(tf.sub(ours(f), ref(f)))).dataSync()[0];
        expect(diff).toBeLessThan(1e-6);
        const g = (fn: (t: tf.Tensor) => tf.Tensor) => tf.grad((t) => tf.sum(tf.mul(fn(t), dy)))(f);
        expect(tf.max(tf.abs(tf.sub(g(ours), g(ref)))).dataSync()[0]).toBeLessThan(1e-6);
      }
    }
  });
});
