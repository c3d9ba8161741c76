// Session archives end to end on the tfjs cpu backend (the e2e spec repeats it on WebGPU across
// pages): export after training, failed imports leave the session and tensor count untouched,
// a good import restores weights and optimizer bit-exactly, and history continues; the snapshot
// ensemble comes back with the session (or, over the cap, the import says it is not there).
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

import { exportSession, snapshotsOf, snapshotsPart } from '../../src/export/sessionIO';
import { ensembleCmd } from '../../src/learn/ensembleSession';
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

  it('keeps the snapshot ensemble: same members and metrics after import; a torn one is refused', async () => {
    await setupLearner(st, setup);
    await fit(st, { policy: 'sgdr', epochs: 2, cycleLen: 1, cycleMult: 1, lr: 1e-2, snapshots: true }, () => {}); // prettier-ignore
    const members = st.learner!.snapshots!;
    expect(members.map((m) => m.epoch)).toEqual([0, 1]);
    const ens = await ensembleCmd(st);
    const zip = await exportSession(st.learner!, undefined);

    const files = unzipSync(zip);
    const json = JSON.parse(new TextDecoder().decode(files['snapshots.json']));
    const torn = zipSync({ ...files, 'snapshots.json': strToU8(JSON.stringify({ members: [...json.members, { epoch: 2, iter: 6 }] })) }); // prettier-ignore
    await setupLearner(st, { ...setup, seed: 9 });
    const other = await learnState(st);
    await expect(importSession(st, torn)).rejects.toThrow(
      /snapshots.safetensors: \d+ tensors for 3 snapshots/,
    );
    expect(await learnState(st)).toEqual(other);

    const r = await importSession(st, zip);
    expect(r.warnings).toEqual([]);
    expect(r.snapshots).toEqual([0, 1]);
    const back = st.learner!.snapshots!;
    expect(back.map(({ epoch, iter }) => ({ epoch, iter }))).toEqual(json.members);
    for (const [i, m] of members.entries())
      for (const [k, c] of m.weights) {
        expect(back[i].weights.get(k)!.dtype).toBe(c.dtype);
        expect(Array.from(back[i].weights.get(k)!.data)).toEqual(Array.from(c.data));
      }
    expect(await ensembleCmd(st)).toEqual(ens);
  });

  it('an ensemble over the cap stays out of the archive, and the import says so', () => {
    const members = st.learner!.snapshots!;
    const part = snapshotsPart(members, 1024)!;
    expect(part.tensors.size).toBe(0);
    expect(part.json.omitted).toMatch(/^2 snapshots of .*MiB: over the .*MiB cap for archives$/);
    const warnings: string[] = [];
    expect(
      snapshotsOf(st.learner!.learn.model, { snapshots: part } as never, warnings),
    ).toBeUndefined();
    expect(warnings[0]).toMatch(/^no snapshot ensemble in this archive: 2 snapshots of/);
  });
});
