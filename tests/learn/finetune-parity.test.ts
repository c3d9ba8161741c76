// fine_tune against the PyTorch referee, batch by batch, on tfjs-cpu (src/worker/diagnostics/stepParity.ts),
// with the studio's resnet-tiny body (torchvision's layout at widths 4-16: the whole recipe in
// seconds); e2e/learner.spec.ts runs ResNet-18 on WebGPU with the Studio kernels.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fineTuneParity } from '../../src/worker/diagnostics/stepParity';
import { torchAvailable } from '../models/torchRef';
import { describeParity, makeFineTuneReference, parityProblems } from './stepParityRef';

const skip = torchAvailable();
if (skip) console.warn(skip);

describe.skipIf(!!skip)('fine_tune step by step against the PyTorch referee (tfjs cpu)', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = makeFineTuneReference('resnet-tiny');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every loss, LR and epoch row, and the final weights, match', async () => {
    const read = (f: string) => new Uint8Array(readFileSync(join(dir, `${f}.safetensors`)));
    const r = await fineTuneParity({
      initial: read('initial'),
      data: read('data'),
      final: read('final'),
    });
    console.log(describeParity(r));
    expect(parityProblems(r)).toEqual([]);
  }, 300_000);
});
