// The reproduction script, run: Debian's /usr/bin/python3 + torch runs the generated train.py on
// a tiny folder made here, with scripts/torch/fastai_shim standing in for fastai (not installable
// here). Its data part must read what the studio's import + loaders read (classes, split sizes,
// the first validation batch's labels); its fits must be the session history's, in order; and
// --from-export must load the studio's safetensors export into fastai's model (strict).
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeDataLoaders, type LoaderItem } from '../../src/data/loaders';
import type { Dataset } from '../../src/data/importer';
import { reproductionScript } from '../../src/export/reproScript';
import { sessionReproSettings } from '../../src/export/reproSettings';
import { safetensorsExport } from '../../src/export/torchExport';
import { History, setHistory } from '../../src/learn/history';
import type { LearnSession } from '../../src/learn/session';
import { cutBody, visionModel } from '../../src/models/head';
import { torchvisionResnet } from '../../src/models/resnet';
import {
  finishImport,
  IMPORT_DEFAULTS,
  planImport,
  type ImportOptions,
} from '../../src/shared/dataset';
import type { FitRecord } from '../../src/shared/protocol';
import { PYTHON, torchAvailable } from '../models/torchRef';

const skip = torchAvailable();
if (skip) console.warn(skip);
const SIDE = 16;
const BS = 4;
let work = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  work = mkdtempSync(join(tmpdir(), 'studio-repro-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 24-bit BMP (both the studio and PIL read it) of a flat colour. */
function bmp(seed: number): Uint8Array {
  const row = Math.ceil((SIDE * 3) / 4) * 4;
  const b = Buffer.alloc(54 + row * SIDE);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(SIDE, 18);
  b.writeInt32LE(SIDE, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.fill(seed * 37, 54);
  return b;
}

/** Writes `files` (image paths, or [path, text]) below a new `ds/` folder; returns it. */
function folder(name: string, files: (string | [string, string])[]): string {
  const root = join(work, name, 'ds');
  files.forEach((f, i) => {
    const [p, text] = typeof f === 'string' ? [f, undefined] : f;
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text ?? bmp(i));
  });
  return root;
}

function walk(root: string): string[] {
  const out: string[] = [];
  const rec = (d: string) =>
    readdirSync(d).forEach((n) =>
      statSync(join(d, n)).isDirectory() ? rec(join(d, n)) : out.push(join(d, n)),
    );
  rec(root);
  return out.map((p) => relative(dirname(root), p));
}

/** The studio's side: import, loaders (seed 42), first valid batch, and the script. */
async function studio(root: string, o: Partial<ImportOptions>, fits: Partial<FitRecord>[]) {
  const csvs = walk(root)
    .filter((p) => p.endsWith('.csv'))
    .map((p) => ({ path: p, text: readFileSync(join(dirname(root), p), 'utf8') }));
  const opts: ImportOptions = { ...IMPORT_DEFAULTS, ...o, ...(csvs.length ? { csvs } : {}) };
  const files = walk(root).map((path) => ({ path, size: 1 }));
  const plan = planImport(files, opts);
  const decoded = new Map(
    plan.items.map((i) => [i.path, { width: SIDE, height: SIDE, hash: i.path }] as const),
  );
  const { items, summary } = finishImport(plan, decoded, opts);
  const ds: Dataset = { items, summary, options: opts };
  const byPath = new Map(walk(root).map((p, i) => [p, i]));
  const bySplit = {
    train: [] as LoaderItem[],
    valid: [] as LoaderItem[],
    test: [] as LoaderItem[],
  };
  for (const it of items) {
    const rgb = new Uint8Array(SIDE * SIDE * 3).fill((byPath.get(it.path)! * 37) % 256);
    bySplit[it.split].push({
      image: { width: SIDE, height: SIDE, rgb },
      labels: it.labels,
      path: it.path,
    });
  }
  const dls = makeDataLoaders(bySplit, {
    vocab: summary.classes,
    multiLabel: summary.multiLabel,
    itemTfm: { kind: 'resize', size: SIDE, method: 'squish' },
    aug: 'side-on',
    seed: 42,
  });
  let validBatch: (string | string[])[] = [];
  for await (const { x, y, paths } of dls.valid.batches(BS)) {
    const ys = (await y.array()) as number[] | number[][];
    tf.dispose([x, y]);
    validBatch = ys.map((v) =>
      Array.isArray(v) ? summary.classes.filter((_, j) => v[j] > 0) : summary.classes[v],
    );
    expect(paths.length).toBe(ys.length);
    break;
  }
  const learn = {
    model: { groups: [0, 1, 2] },
    data: { vocab: summary.classes, multiLabel: summary.multiLabel },
  };
  setHistory(
    learn,
    History.from({
      batches: [],
      epochs: [],
      fits: fits.map((f) => ({ args: {}, startIter: 0, epochsDone: 0, ...f })),
    }),
  );
  const setup = {
    arch: 'resnet18',
    data: 'imported',
    pretrained: true,
    body: 'current',
    size: SIDE,
    bs: BS,
    resize: 'squish',
    aug: 'side-on',
    labelSmoothing: false,
  };
  const session = { learn, setup } as unknown as LearnSession;
  const script = reproductionScript(sessionReproSettings(session, ds));
  const { train, valid } = summary.images;
  // What the script's check() must print.
  const data = { classes: summary.classes, train, valid, valid_batch: validBatch };
  return { summary, data, script };
}

interface Run {
  data: { classes: string[]; train: number; valid: number; valid_batch: (string | string[])[] };
  calls: { name: string; args: unknown[]; kwargs?: Record<string, unknown> }[];
  out: string;
}

/** The script under /usr/bin/python3 with the shim for fastai. */
function python(root: string, script: string, extra: string[] = []): Run {
  const file = join(dirname(root), 'train.py');
  writeFileSync(file, script);
  const out = execFileSync(PYTHON, [file, root, ...extra], {
    env: { ...process.env, PYTHONPATH: resolve('scripts/torch/fastai_shim') },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = (tag: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith(tag))
      .map((l) => JSON.parse(l.slice(tag.length)));
  return { data: lines('data: ')[0], calls: lines('call: '), out };
}

const oneCycleMoms = [0.95, 0.85, 0.95];

describe.skipIf(!!skip)('train.py under PyTorch (fastai shim)', () => {
  const names = (k: number, prefix: string) =>
    Array.from({ length: k }, (_, i) => `${prefix}_${String((i * 7) % 10)}${i}.bmp`);

  it('regex labels + train/valid/test folders: same data; every fit replayed in order', async () => {
    const root = folder('regex', [
      ...names(6, 'train/cat'),
      ...names(5, 'train/dog'),
      'train/IMG-003.bmp', // no match: the studio leaves it out, so must the script
      ...names(3, 'valid/dog'),
      ...names(3, 'valid/cat'),
      'test/cat_99.bmp',
      'test/unnamed.bmp',
    ]);
    const re = { labelMode: 'regex' as const, labelRe: '^([a-z]+)_\\d+\\.bmp$' };
    const s = await studio(root, re, [
      {
        args: { policy: 'one_cycle', epochs: 1, lr: 1e-3 },
        frozenGroups: 2,
        size: SIDE,
        epochsDone: 1,
      },
      {
        args: { policy: 'one_cycle', epochs: 2, lr: { lo: 1e-5, hi: 1e-3 } },
        frozenGroups: 0,
        size: SIDE,
        epochsDone: 2,
      },
      {
        args: {
          policy: 'sgdr',
          epochs: 2,
          cycleLen: 1,
          cycleMult: 2,
          mixup: true,
          wd: 0.1,
          size: 24,
        },
        frozenGroups: 0,
        size: 24,
        epochsDone: 3,
      },
      {
        args: { policy: 'fit', epochs: 3, lr: 1e-4, saveBest: true },
        frozenGroups: 0,
        size: 24,
        epochsDone: 1,
      },
    ]);
    expect(s.script).toContain('(stopped in the studio after 1 of 3 epochs)');
    const py = python(root, s.script);
    expect(py.data).toEqual(s.data);
    expect(s.summary.images).toEqual({ train: 11, valid: 6, test: 2 });
    expect(py.calls).toEqual([
      {
        name: 'vision_learner',
        args: ['resnet18'],
        kwargs: { pretrained: true, loss_func: 'CrossEntropyLoss', wd: 0.01 },
      },
      { name: 'fit_one_cycle', args: [1], kwargs: { lr_max: 1e-3, moms: oneCycleMoms } },
      { name: 'unfreeze', args: [] },
      {
        name: 'fit_one_cycle',
        args: [2],
        kwargs: { lr_max: { slice: [1e-5, 1e-3] }, moms: oneCycleMoms },
      },
      { name: 'dls', args: [24] },
      { name: 'wd', args: [0.1] },
      { name: 'fit_sgdr', args: [2, 1], kwargs: { cycle_mult: 2, lr_max: 1e-3, cbs: 'MixUp' } },
      { name: 'fit', args: [3], kwargs: { lr: 1e-4, cbs: 'SaveModelCallback' } },
      { name: 'export', args: ['model.pkl'] },
    ]);
  }, 60_000);

  it('CSV multi-label + train2017/val2017 folders: same data, fine_tune', async () => {
    const csv = [
      'file,tags',
      'train2017/a1.bmp,cat;dog',
      'a2.bmp,dog', // a bare name: the one image of that name
      'train2017/a3.bmp,',
      'train2017/a4.bmp,bird',
      'train2017/a5.bmp,cat',
      'val2017/b1.bmp,bird;cat',
      'b2.bmp,dog',
      'val2017/b3.bmp,cat',
      'val2017/gone.bmp,cat', // names no file
    ].join('\n');
    const root = folder('csv', [
      ...['a1', 'a2', 'a3', 'a4', 'a5', 'unlisted'].map((n) => `train2017/${n}.bmp`),
      ...['b1', 'b2', 'b3'].map((n) => `val2017/${n}.bmp`),
      ['labels.csv', csv],
    ]);
    const s = await studio(root, { labelMode: 'csv', labelSep: ';' }, [
      { args: { policy: 'fine_tune', epochs: 1 }, frozenGroups: 2, size: SIDE, epochsDone: 2 },
    ]);
    expect(s.summary.multiLabel).toBe(true);
    const py = python(root, s.script);
    expect(py.data).toEqual(s.data);
    expect(s.summary.images).toEqual({ train: 5, valid: 3, test: 0 });
    expect(py.calls.map((c) => c.name)).toEqual(['vision_learner', 'fine_tune', 'export']);
    expect(py.calls[1]).toEqual({
      name: 'fine_tune',
      args: [1],
      kwargs: { base_lr: 2e-3, freeze_epochs: 1 },
    });
  }, 60_000);

  it('train/ + test/ without a validation folder: a random split of train/ of the same sizes', async () => {
    const root = folder('random', [
      ...names(8, 'train/cat'),
      ...names(7, 'train/dog'),
      ...names(3, 'test/cat'),
    ]);
    const re = {
      labelMode: 'regex' as const,
      labelRe: '^([a-z]+)_\\d+\\.bmp$',
      validPct: 0.25,
      seed: 7,
    };
    const s = await studio(root, re, []);
    expect(s.script).toContain('RandomSplitter(valid_pct=0.25, seed=7)');
    const py = python(root, s.script);
    // torch.randperm picks other images than the studio's PRNG: classes and sizes agree.
    expect([py.data.classes, py.data.train, py.data.valid]).toEqual([
      s.summary.classes,
      s.summary.images.train,
      s.summary.images.valid,
    ]);
    expect(s.summary.images).toEqual({ train: 12, valid: 3, test: 3 });
  }, 60_000);

  it("--from-export loads the studio export into fastai's model (strict) instead of the fits", async () => {
    const root = folder('from-export', [
      ...names(4, 'train/cat'),
      ...names(4, 'train/dog'),
      ...names(2, 'valid/cat'),
      ...names(2, 'valid/dog'),
    ]);
    const re = { labelMode: 'regex' as const, labelRe: '^([a-z]+)_\\d+\\.bmp$' };
    const s = await studio(root, re, [
      { args: { policy: 'fine_tune', epochs: 1 }, frozenGroups: 2, size: SIDE, epochsDone: 2 },
    ]);
    const m = visionModel(cutBody(torchvisionResnet('resnet18', 1000, 1)), 2, { seed: 2 });
    const exportDir = join(dirname(root), 'export');
    mkdirSync(exportDir);
    try {
      const raw = new Map(
        [...m.params, ...m.buffers].map(([k, v]) => [
          k,
          { shape: [...v.shape], data: v.dataSync() as Float32Array },
        ]),
      );
      const meta = {
        arch: 'resnet18',
        classes: s.summary.classes,
        multiLabel: false,
        size: SIDE,
        input: m.input,
        bnEps: 1e-5,
      };
      for (const f of safetensorsExport(raw, meta, 1))
        writeFileSync(join(exportDir, f.name), f.bytes);
    } finally {
      m.dispose();
    }
    const py = python(root, s.script, ['--from-export', exportDir]);
    expect(py.calls.map((c) => c.name)).toEqual(['vision_learner', 'validate', 'export']);
    expect(py.calls[0].kwargs?.pretrained).toBe(false);
    expect(py.out).toMatch(/^validate: \[\d/m);
  }, 60_000);
});
