// torchvision parity on the tfjs CPU backend (the WebGPU check is e2e/models.spec.ts): same
// weights (safetensors from scripts/torch/make_reference.py), same input, same eval logits.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { torchvisionResnet } from '../../src/models/resnet';
import { readSafetensors } from '../../src/models/weights/safetensors';
import { loadStateDict } from '../../src/models/weights/stateDict';
import { makeReference, torchAvailable } from './torchRef';

const skip = torchAvailable();
if (skip) console.warn(skip);

describe.skipIf(!!skip)('torchvision ResNet-18 parity (tfjs cpu)', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = makeReference(['resnet18'], 32);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('eval-mode logits match within 1e-3 with the same top-5', async () => {
    const weights = readSafetensors(readFileSync(join(dir, 'resnet18.safetensors'))).tensors;
    const io = readSafetensors(readFileSync(join(dir, 'resnet18-io.safetensors'))).tensors;
    const model = torchvisionResnet('resnet18');
    loadStateDict(model, weights, 'torch');
    const x = io.get('input')!;
    const logits = tf.tidy(() =>
      model.forward(tf.tensor4d(x.data, x.shape as [number, number, number, number]), {
        training: false,
      }),
    );
    const ours = (await logits.data()) as Float32Array;
    const ref = io.get('logits')!.data;
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]));
    console.log(`resnet18 cpu parity: max abs logit diff ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-3);
    const top5 = (await tf.topk(logits, 5).indices.array()) as number[][];
    expect(top5.flat()).toEqual([...io.get('top5')!.data]);
    logits.dispose();
    model.dispose();
  }, 120_000);
});
