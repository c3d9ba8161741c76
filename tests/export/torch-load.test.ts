// The safetensors export loads into PyTorch (scripts/torch/load_export.py with Debian's
// /usr/bin/python3 + torch/torchvision): a ResNet-18 + fastai head with perturbed BN stats gives
// the same probabilities in PyTorch as in the studio (tfjs cpu here; WebGPU in e2e/export.spec.ts).
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
import { PYTHON, torchAvailable } from '../models/torchRef';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const skip = torchAvailable();

describe.skipIf(!!skip)('safetensors export -> PyTorch', () => {
  it('ResNet-18 + fastai head: same probabilities within 1e-5', () => {
    const m = visionModel(cutBody(torchvisionResnet('resnet18', 1000, 1)), 3, { seed: 2 });
    let s = 11;
    for (const [k, v] of [...m.params, ...m.buffers])
      if (v.rank === 1 && !k.endsWith('.bias'))
        v.assign(
          k.endsWith('running_var')
            ? tf.randomUniform(v.shape, 0.5, 2, 'float32', s++)
            : k.endsWith('running_mean')
              ? tf.randomNormal(v.shape, 0, 0.2, 'float32', s++)
              : tf.randomUniform(v.shape, 0.5, 1.5, 'float32', s++),
        );
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
      for (const f of safetensorsExport(
        raw,
        {
          arch: 'resnet18',
          classes: ['a', 'b', 'c'],
          multiLabel: false,
          size: 32,
          input: m.input,
          bnEps: 1e-5,
        },
        3,
      ))
        writeFileSync(join(dir, f.name), f.bytes);
      writeFileSync(
        join(dir, 'input.safetensors'),
        writeSafetensorsTyped(
          new Map([['input', f32([2, 32, 32, 3], x.dataSync() as Float32Array)]]),
        ),
      );
      execFileSync(
        PYTHON,
        [
          resolve('scripts/torch/load_export.py'),
          dir,
          join(dir, 'input.safetensors'),
          join(dir, 'out.json'),
        ],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { probs: number[][] };
      const want = ref.arraySync() as number[][];
      const diff = Math.max(
        ...out.probs.flatMap((row, i) => row.map((p, j) => Math.abs(p - want[i][j]))),
      );
      console.log(`PyTorch vs studio (cpu) max abs prob diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      tf.dispose([x, ref]);
      m.dispose();
    }
  });
});
