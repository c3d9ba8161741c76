// Session archives end to end on the tfjs cpu backend (the e2e spec repeats it on WebGPU across
// pages): export after training, failed imports leave the session and tensor count untouched,
// a good import restores weights and optimizer bit-exactly, and history continues.
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

import { exportSession } from '../../src/export/sessionIO';
import { learnState, setupLearner } from '../../src/learn/session';
import { fit } from '../../src/reliability/recovery';
import { importSession } from '../../src/worker/handlers/export';
import { createWorkerState } from '../../src/worker/state';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const st = createWorkerState();
const setup = { arch: 'resnet-tiny', size: 16, bs: 4, nTrain: 2, nValid: 1, seed: 4 };

describe('session archive on the cpu backend', () => {
  it('round trip, refusals without side effects, history continues', async () => {
    await setupLearner(st, setup);
    await fit(st, { epochs: 1, lr: 1e-2 }, () => {});
    const before = await learnState(st);
    const zip = await exportSession(st.learner!, undefined);

    await setupLearner(st, { ...setup, seed: 9 });
    const other = await learnState(st);
    const files = unzipSync(zip);
    const bad: Uint8Array[] = [
      strToU8('not a zip'),
      zipSync({ ...files, 'model.safetensors': files['optimizer.safetensors'] }),
      zipSync({ ...files, 'optimizer.json': strToU8('{"hypers":[{}],"state":[]}') }),
    ];
    for (const b of bad) await expect(importSession(st, b)).rejects.toThrow();
    expect(await learnState(st)).toEqual(other);

    const r = await importSession(st, zip);
    expect(r).toMatchObject({ iterations: 2, epochs: 1 });
    const after = await learnState(st);
    expect(after.weightsHash).toBe(before.weightsHash);
    expect(after.optHash).toBe(before.optHash);
    expect(after.numTensors).toBe(before.numTensors); // the old session's tensors are gone

    await fit(st, { epochs: 1, lr: 1e-2 }, () => {});
    const h = JSON.parse(
      new TextDecoder().decode(
        unzipSync(await exportSession(st.learner!, undefined))['history.json'],
      ),
    );
    expect(h.batches.map((b: { iter: number }) => b.iter)).toEqual([0, 1, 2, 3]);
    expect(h.fits.map((f: { startIter: number }) => f.startIter)).toEqual([0, 2]);
  });
});
