// The data cleaner on the tfjs cpu backend: the overlay's pure rules, per-item losses of either
// split, the overlay in the loaders (deleted items leave, relabelled keep their split), and the
// overlay through a session archive (cleaner.json) and its refusals.
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDataState, type DataState } from '../../src/data/importer';
import { exportSession } from '../../src/export/sessionIO';
import { cleanerEdits, cleanerLosses } from '../../src/learn/cleaner';
import { disposeLearner, learnState, setupLearner } from '../../src/learn/session';
import { applyEdits, editsProblem, mergeEdits, type CleanerEdit } from '../../src/shared/cleaner';
import { importSession } from '../../src/worker/handlers/export';
import { createWorkerState } from '../../src/worker/state';

const CLASSES = ['bright', 'dark'];

/** An "imported" folder: train/<class>/<i>.png (8 each), valid (4 each), flat grey images. */
function imported(): DataState {
  const d = newDataState();
  const items = [];
  for (const [split, n] of [
    ['train', 8],
    ['valid', 4],
  ] as const)
    for (const c of CLASSES)
      for (let i = 0; i < n; i++) {
        const path = `${split}/${c}/${i}.png`;
        items.push({ path, labels: [c], split, width: 16, height: 16 });
        const rgb = new Uint8Array(16 * 16 * 3).fill(c === 'dark' ? 20 + i : 230 - i);
        const image = { width: 16, height: 16, rgb, origWidth: 16, origHeight: 16, hash: path };
        d.cache.set(path, { key: path, file: new File([], path), result: image });
      }
  d.current = {
    items,
    summary: {
      classes: CLASSES,
      multiLabel: false,
      counts: { train: {}, valid: {} },
      images: { train: 16, valid: 8, test: 0 },
      skipped: [],
      warnings: [],
      errors: [],
      split: 'folders',
      labelMode: 'folder',
    },
  };
  return d;
}

describe('the overlay', () => {
  const items = [
    { path: 'a', labels: ['x'] },
    { path: 'b', labels: ['x'] },
    { path: 'c', labels: ['y'] },
  ];
  it('deletes and relabels, keeping order; a later edit of a path replaces the earlier', () => {
    const edits: CleanerEdit[] = [
      { path: 'b', action: 'delete' },
      { path: 'c', action: 'relabel', labels: ['x'] },
    ];
    expect(applyEdits(items, edits)).toEqual([
      { path: 'a', labels: ['x'] },
      { path: 'c', labels: ['x'] },
    ]);
    expect(items[2].labels).toEqual(['y']); // the labeller's items stay as they were
    const merged = mergeEdits(edits, [{ path: 'b', action: 'relabel', labels: ['y'] }]);
    expect(applyEdits(items, merged).map((it) => it.labels)).toEqual([['x'], ['y'], ['x']]);
  });
  it('names what does not fit the data', () => {
    const paths = new Set(['a', 'b']);
    const p = (e: CleanerEdit[], multi = false) => editsProblem(e, ['x', 'y'], paths, multi);
    expect(p([{ path: 'z', action: 'delete' }])).toMatch(/no image 'z'/);
    expect(p([{ path: 'a', action: 'relabel', labels: ['q'] }])).toMatch(/'q' is not a class/);
    expect(p([{ path: 'a', action: 'relabel', labels: ['x', 'y'] }])).toMatch(/exactly one/);
    expect(p([{ path: 'a', action: 'relabel', labels: ['x', 'y'] }], true)).toBeUndefined();
    expect(
      p([
        { path: 'a', action: 'delete' },
        { path: 'a', action: 'delete' },
      ]),
    ).toMatch(/twice/);
  });
});

describe('the cleaner on a session', () => {
  const st = createWorkerState();
  const setup = { data: 'imported', arch: 'tiny-bn-cnn', size: 16, bs: 4, aug: 'none' } as const;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    st.data = imported();
    await setupLearner(st, setup);
  });
  afterAll(() => disposeLearner(st));

  it('losses of either split, highest first, the cross-entropy of the label', async () => {
    const before = tf.memory().numTensors;
    for (const split of ['train', 'valid'] as const) {
      const r = await cleanerLosses(st, split);
      expect(r.items).toHaveLength(split === 'train' ? 16 : 8);
      expect(r.items.every((it) => it.path.startsWith(`${split}/`))).toBe(true);
      const losses = r.items.map((it) => it.loss);
      expect(losses).toEqual([...losses].sort((a, b) => b - a));
      for (const it of r.items) {
        const right = it.predicted[0] === it.labels[0];
        // CE of the label: -log p(label); p(predicted) >= 0.5 of two classes.
        if (right) expect(it.loss).toBeCloseTo(-Math.log(it.prob), 4);
        else expect(it.loss).toBeGreaterThanOrEqual(-Math.log(0.5) - 1e-6);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('edits rebuild the loaders: deleted items leave, relabelled ones keep their split', async () => {
    const edits: CleanerEdit[] = [
      { path: 'train/dark/0.png', action: 'delete' },
      { path: 'train/dark/1.png', action: 'delete' },
      { path: 'valid/dark/0.png', action: 'delete' },
      { path: 'train/bright/0.png', action: 'relabel', labels: ['dark'] },
    ];
    expect(() =>
      cleanerEdits(st, [{ path: 'x.png', action: 'relabel', labels: ['dark'] }]),
    ).toThrow(/cleaner: no image 'x.png'/);
    expect(cleanerEdits(st).edits).toEqual([]);
    expect(cleanerEdits(st, edits).edits).toEqual(edits);
    const items = st.learner!.learn.data.items!;
    expect(items.train.map((it) => it.path)).not.toContain('train/dark/0.png');
    expect(items.train).toHaveLength(14);
    expect(items.valid).toHaveLength(7);
    expect(items.train.find((it) => it.path === 'train/bright/0.png')!.labels).toEqual(['dark']);
    const r = await cleanerLosses(st, 'train');
    expect(r.edits).toEqual(edits);
    expect(r.items.find((it) => it.path === 'train/bright/0.png')!.labels).toEqual(['dark']);
    // Undo: the overlay without the edit, the loaders back.
    cleanerEdits(st, []);
    expect(st.learner!.learn.data.items!.train).toHaveLength(16);
  });

  it('the overlay travels with the session archive; a bad cleaner.json changes nothing', async () => {
    const edits: CleanerEdit[] = [
      { path: 'train/dark/2.png', action: 'delete' },
      { path: 'valid/bright/1.png', action: 'relabel', labels: ['dark'] },
    ];
    cleanerEdits(st, edits);
    const zip = await exportSession(st.learner!, st.data.current);
    const files = unzipSync(zip);
    expect(JSON.parse(new TextDecoder().decode(files['cleaner.json']))).toEqual({ edits });

    cleanerEdits(st, []);
    const state = await learnState(st);
    const bad = [
      [{ edits: [{ path: 'nowhere.png', action: 'delete' }] }, /cleaner\.json: no image/],
      [{ edits: [{ path: 'train/dark/2.png', action: 'burn' }] }, /cleaner\.json.*action/],
      [{ edits: [{ path: 'train/dark/2.png', action: 'relabel' }] }, /labels is missing/],
    ] as const;
    for (const [json, message] of bad) {
      const b = zipSync({ ...files, 'cleaner.json': strToU8(JSON.stringify(json)) });
      await expect(importSession(st, b, 's.zip')).rejects.toThrow(message);
      expect(st.data.current!.edits).toEqual([]);
    }
    expect(await learnState(st)).toEqual(state);

    const r = await importSession(st, zip, 's.zip');
    expect(r.cleaner).toEqual(edits);
    expect(cleanerEdits(st).edits).toEqual(edits);
    expect(st.learner!.learn.data.items!.train).toHaveLength(15);
    // No edits: no cleaner.json, and an import of it clears the overlay.
    cleanerEdits(st, []);
    const plain = await exportSession(st.learner!, st.data.current);
    expect(unzipSync(plain)['cleaner.json']).toBeUndefined();
    cleanerEdits(st, edits);
    expect((await importSession(st, plain)).cleaner).toEqual([]);
    expect(st.data.current!.edits).toEqual([]);
  });
});
