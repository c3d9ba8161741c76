// Hostile session archives (every JSON field typed and ranged, entries missing or corrupt) and
// the weight-import path of the worker: a refused file leaves the current model as it was.
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

import { SessionArchiveError, unpackSession } from '../../src/export/sessionArchive';
import { createModel, loadWeights, type ModelState } from '../../src/models/session';
import { BadFileError } from '../../src/shared/badFile';
import { exportStateDict } from '../../src/models/weights/stateDict';
import { writeSafetensors } from '../../src/models/weights/safetensors';
import { BATCH, makeZip, refused, sessionBytes, sessionParts } from './craft';

const good = sessionBytes();
/** The good archive with entries replaced (a JSON value or raw bytes) or removed (null). */
const edited = (changes: Record<string, unknown>) => {
  const files = unzipSync(good);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete files[k];
    else files[k] = v instanceof Uint8Array ? v.slice() : strToU8(JSON.stringify(v));
  }
  return zipSync(files);
};
const unpack = (changes: Record<string, unknown>) => () =>
  unpackSession(edited(changes), 'run.zip');
const settings = (s: Record<string, unknown>) => ({
  'settings.json': { ...sessionParts().settings, ...s },
});

describe('hostile session archives', () => {
  it('the crafted archive reads (the builder is right)', () => {
    expect(unpackSession(good).classes).toEqual(['x', 'y']);
  });

  it('lr: "fast" is refused with the field name', () => {
    const e = refused(unpack(settings({ lr: 'fast' })), /lr/);
    expect(e).toBeInstanceOf(SessionArchiveError);
    expect(e.message).toBe('run.zip: settings.json: lr must be a number in [0, 1000] (got "fast")');
  });

  it('setup fields of the wrong type or out of range', () => {
    const setup = sessionParts().settings.setup;
    refused(
      unpack(settings({ setup: { ...setup, data: 'cloud' } })),
      /setup\.data must be one of "demo", "imported" \(got "cloud"\)/,
    );
    refused(
      unpack(settings({ setup: { ...setup, bs: 1e9 } })),
      /setup\.bs must be an integer in \[1, 65536\]/,
    );
    refused(unpack(settings({ setup: { ...setup, arch: 42 } })), /setup\.arch must be a string/);
    refused(unpack(settings({ setup: undefined })), /settings\.json: setup is missing/);
  });

  it('frozenGroups, position and multiLabel', () => {
    refused(
      unpack(settings({ frozenGroups: -1 })),
      /frozenGroups must be an integer in \[0, 1000\] \(got -1\)/,
    );
    refused(
      unpack(settings({ position: { fits: 'x', iterations: 0 } })),
      /position\.fits must be an integer/,
    );
    refused(unpack(settings({ multiLabel: 'yes' })), /multiLabel must be true or false/);
  });

  it('classes, split and history entries of the wrong shape', () => {
    refused(
      unpack({ 'classes.json': 'cat,dog' }),
      /classes\.json: the file must be a list of at least 1/,
    );
    refused(
      unpack({ 'split.json': { train: [3], valid: [], test: [] } }),
      /split\.json: train\[0\] must be a string/,
    );
    refused(
      unpack({ 'history.json': { batches: [{ ...BATCH, loss: 'low' }], epochs: [], fits: [] } }),
      /history\.json: batches\[0\]\.loss must be a number \(got "low"\)/,
    );
  });

  it('optimizer.json: a state entry that is neither a number, a boolean, null nor a tensor', () => {
    const opt = {
      hypers: [{ lr: 1e-3 }],
      state: [{ key: 'fc.weight', entries: [['step', 'two']] }],
    };
    refused(unpack({ 'optimizer.json': opt }), /optimizer\.json: .*state\[0\]\.entries\[0\]\[1\]/);
    refused(
      unpack({ 'optimizer.json': { ...opt, hypers: [{ lr: 'x' }] } }),
      /hypers\[0\]\.lr must be a number/,
    );
  });

  it('the manifest: a string version, a foreign format, an entry it lists that is absent', () => {
    const m = {
      format: 'studio-session',
      version: 1,
      created: 'now',
      arch: 'a',
      entries: ['settings.json'],
    };
    refused(
      unpack({ 'manifest.json': { ...m, version: '2' } }),
      /manifest\.json: version must be a positive integer \(got "2"\)/,
    );
    refused(unpack({ 'manifest.json': { ...m, format: 'other' } }), /manifest format is "other"/);
    refused(
      unpack({ 'manifest.json': { ...m, entries: ['extra.bin'] } }),
      /missing extra\.bin \(listed in its manifest\)/,
    );
  });

  it('missing model.safetensors; optimizer.json without its tensors', () => {
    refused(
      unpack({ 'model.safetensors': null }),
      /run\.zip: not a complete session archive: missing model\.safetensors/,
    );
    const { entries } = JSON.parse(strFromU8(unzipSync(good)['manifest.json']));
    const manifest = {
      ...sessionParts().manifest,
      entries: entries.filter((n: string) => n !== 'optimizer.safetensors'),
    };
    refused(
      unpack({ 'optimizer.safetensors': null, 'manifest.json': manifest }),
      /run\.zip: optimizer\.safetensors is missing/,
    );
  });

  it('corrupt weights: a truncated model.safetensors', () => {
    const st = unzipSync(good)['model.safetensors'];
    refused(
      unpack({ 'model.safetensors': st.subarray(0, st.length - 4) }),
      /run\.zip: model\.safetensors: tensor .* outside the \d+ bytes of data/,
    );
  });

  it('NaN weights in the archive', () => {
    const w = writeSafetensors(
      new Map([['fc.weight', { shape: [2], data: Float32Array.from([1, NaN]) }]]),
    );
    refused(
      unpack({ 'model.safetensors': w }),
      /run\.zip: model\.safetensors: tensor 'fc\.weight' has NaN at index 1/,
    );
  });

  it('a JSON entry declaring 1 GiB is refused before inflating', () => {
    const files = unzipSync(good);
    const entries = Object.entries(files).map(([name, data]) => ({
      name,
      data,
      ...(name === 'settings.json' ? { deflate: true, size: 2 ** 30 } : {}),
    }));
    refused(
      () => unpackSession(makeZip(entries)),
      /zip entry 'settings\.json' declares 1073741824 bytes: over the 32 MiB cap/,
    );
  });

  const deflated = (changes: Record<string, Uint8Array>) => {
    const files = { ...unzipSync(good), ...changes };
    return makeZip(Object.entries(files).map(([name, data]) => ({ name, data, deflate: true })));
  };
  const many = (item: string, n: number) => `${item},`.repeat(n - 1) + item;

  it('a JSON bomb honest about its size: 16 MiB of [0,0,...] in 16 KB, refused before JSON.parse', () => {
    const zip = deflated({ 'history.json': strToU8(`[${many('0', 2 ** 23 - 1)}]`) });
    expect(zip.length).toBeLessThan(100_000);
    refused(() => unpackSession(zip), /history\.json holds over 4194304 JSON values/);
  });

  it('the JSON value budget is shared by the entries of one archive', () => {
    const zip = deflated({
      'classes.json': strToU8(`[${many('"a"', 2_500_000)}]`),
      'split.json': strToU8(`{"train":[${many('"b"', 2_000_000)}],"valid":[],"test":[]}`),
    });
    refused(
      () => unpackSession(zip),
      /split\.json holds over 4194304 JSON values \(with the file's other JSON\)/,
    );
  });

  it('not a zip at all', () => {
    refused(
      () => unpackSession(strToU8('PK but not really')),
      /session archive: not a readable \.zip/,
    );
  });
});

describe('the worker import path is all-or-nothing', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a refused weight file names itself and leaves the current model and tensor count unchanged', async () => {
    const m: ModelState = {};
    createModel(m, { arch: 'resnet-tiny', nClasses: 2, seed: 3 });
    const model = m.current!.model;
    const before = await exportStateDict(model);
    const tensors = tf.memory().numTensors;
    const bad = writeSafetensors(
      new Map([...before].map(([k, t]) => [k, { ...t, data: t.data.map(() => Infinity) }])),
    );
    const files = [{ name: 'mine.safetensors', bytes: bad.slice().buffer }];
    let err: unknown;
    try {
      loadWeights(m, { files });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadFileError);
    expect((err as Error).message).toMatch(
      /^mine\.safetensors: tensor '.*' has an infinite value at index 0/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(m.current!.model).toBe(model);
    const after = await exportStateDict(model);
    for (const [k, t] of before) expect(after.get(k)!.data, k).toEqual(t.data);
  });
});
