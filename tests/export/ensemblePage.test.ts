// The one-file page of a snapshot ensemble (exportModel's `page` with `ensemble`): a tiny-bn-cnn
// fit with fit_sgdr and snapshots, exported; the page's runtime over its embedded weight sets
// gives the mean of each member's probabilities, and the studio's ensemble prediction
// (src/learn/ensemble.ts: each snapshot loaded in turn, outputs averaged) within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { exportModel, learnForward } from '../../src/export/exportModel';
import type { PageModel } from '../../src/export/onefile/onefile';
import { decodeWeights } from '../../src/export/onefile/pack';
import { predictProbs, unpackWeights } from '../../src/export/onefile/runtime';
import { meanPreds, overMembers } from '../../src/learn/ensemble';
import { fitPolicy } from '../../src/learn/fitCommand';
import { learnState, setupLearner } from '../../src/learn/session';
import { createWorkerState } from '../../src/worker/state';

const SETUP = { arch: 'tiny-bn-cnn', size: 12, bs: 8, nTrain: 2, nValid: 2, seed: 5 } as const;
const st = createWorkerState();

beforeAll(async () => {
  await tf.setBackend('cpu');
  await setupLearner(st, SETUP);
});

/** The exported page's model and its weight sets, as page.ts reads them. */
function readPage(html: string) {
  const script = (id: string) => {
    const m = new RegExp(`<script[^>]* id="${id}">([\\s\\S]*?)</script>`).exec(html);
    if (!m) throw new Error(`page: no <script id="${id}">`);
    return m[1];
  };
  const model = JSON.parse(script('onefile-model')) as PageModel;
  const sets = Array.from({ length: model.members }, (_, i) =>
    unpackWeights(model.graph, decodeWeights(script(`onefile-w${i}`).trim(), model.f16)),
  );
  return { model, sets };
}

async function exportPage(o: { ensemble?: boolean; f16?: boolean }) {
  const { files } = await exportModel(st.learner!, undefined, { format: 'page', ...o });
  return { name: files[0].name, html: new TextDecoder().decode(files[0].bytes) };
}

const N = 3;
const pixels = () =>
  tf.tidy(() => tf.randomUniform([N, 12, 12, 3], 0, 1, 'float32', 9).dataSync() as Float32Array);
const image = (px: Float32Array, i: number) => px.subarray(i * 12 * 12 * 3, (i + 1) * 12 * 12 * 3);

describe('the one-file page of a snapshot ensemble', () => {
  it('is refused, by name, when the session kept no snapshots', async () => {
    await expect(exportPage({ ensemble: true })).rejects.toThrow(
      /export --ensemble: no snapshots kept/,
    );
  });

  it("holds every snapshot; its runtime gives their mean, the studio's ensemble within 1e-4", async () => {
    const emit = () => {};
    await fitPolicy(
      st,
      { policy: 'sgdr', epochs: 3, cycleLen: 1, cycleMult: 1, lr: 5e-2, snapshots: true },
      emit,
      [],
    );
    const session = st.learner!;
    expect(session.snapshots).toHaveLength(3);
    const before = await learnState(st);
    const { name, html } = await exportPage({ ensemble: true });
    expect(name).toBe('tiny-bn-cnn-classifier-ensemble3.html');
    expect(html).toMatch(/<title>tiny-bn-cnn: \d+ classes, ensemble of 3<\/title>/);
    // Exporting read the CPU copies: the model and the tensor count are as they were.
    const after = await learnState(st);
    expect(after.weightsHash).toBe(before.weightsHash);
    expect(after.numTensors).toBe(before.numTensors);

    const { model, sets } = readPage(html);
    expect(model.members).toBe(3);
    const px = pixels();
    const studio = await overMembers(session.learn.model, session.snapshots!, async () =>
      Float32Array.from(
        (await learnForward(session, { input: px, shape: [N, 12, 12, 3] })).probs.flat(),
      ),
    );
    const want = meanPreds(studio);
    const c = want.length / N;
    let spread = 0;
    for (let i = 0; i < N; i++) {
      const got = predictProbs(model.graph, sets, image(px, i), model);
      const each = sets.map((w) => predictProbs(model.graph, [w], image(px, i), model));
      const mean = meanPreds(each);
      for (let j = 0; j < c; j++) {
        expect(Math.abs(got[j] - mean[j])).toBeLessThan(1e-6);
        expect(Math.abs(got[j] - want[i * c + j])).toBeLessThan(1e-4);
        spread = Math.max(spread, Math.abs(each[0][j] - each[2][j]));
      }
    }
    // The members differ, so the mean is not any one of them.
    expect(spread).toBeGreaterThan(1e-3);
    expect((await learnState(st)).numTensors).toBe(before.numTensors);
  });

  it('f16: the same ensemble in half the weight bytes, probabilities within 1e-2', async () => {
    const f32 = readPage((await exportPage({ ensemble: true })).html);
    const { name, html } = await exportPage({ ensemble: true, f16: true });
    expect(name).toBe('tiny-bn-cnn-classifier-ensemble3-f16.html');
    const f16 = readPage(html);
    expect(f16.model.f16).toBe(true);
    expect(f16.sets).toHaveLength(3);
    const px = pixels();
    for (let i = 0; i < N; i++) {
      const a = predictProbs(f32.model.graph, f32.sets, image(px, i), f32.model);
      const b = predictProbs(f16.model.graph, f16.sets, image(px, i), f16.model);
      a.forEach((p, j) => expect(Math.abs(p - b[j])).toBeLessThan(1e-2));
    }
    // Without `ensemble` the page holds the final weights alone.
    const single = readPage((await exportPage({})).html);
    expect(single.model.members).toBe(1);
  });
});
