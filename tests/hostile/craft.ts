// Builders for hostile files: pickles op by op, zips whose headers can lie, PyTorch checkpoints
// with arbitrary tensor views, raw safetensors, TF.js models, session archives. Plus `refused`,
// which runs a reader and checks the outcome, the time taken and the memory it kept.
import { deflateSync } from 'fflate';
import { expect } from 'vitest';

import { packSession } from '../../src/export/sessionArchive';
import { BadFileError } from '../../src/shared/badFile';

const enc = new TextEncoder();
const u16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

// ************* pickles (protocol 2, as torch.save writes them) *************

type Ops = number[];
export const P = {
  str: (s: string): Ops => {
    const b = [...enc.encode(s)];
    return [0x58, ...u32(b.length), ...b];
  },
  int: (n: number): Ops =>
    n >= -(2 ** 31) && n < 2 ** 31 ? [0x4a, ...u32(n >>> 0)] : [0x8a, 8, ...i64(n)],
  float: (x: number): Ops => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return [0x47, ...b];
  },
  global: (module: string, name: string): Ops => [0x63, ...enc.encode(`${module}\n${name}\n`)],
  tuple: (...items: Ops[]): Ops => [0x28, ...items.flat(), 0x74],
  reduce: (fn: Ops, args: Ops): Ops => [...fn, ...args, 0x52],
  ordered: (pairs: [Ops, Ops][]): Ops => [
    ...P.reduce(P.global('collections', 'OrderedDict'), [0x29]),
    0x28,
    ...pairs.flat(2),
    0x75,
  ],
  pickle: (body: Ops) => Uint8Array.from([0x80, 2, ...body, 0x2e]),
};
const i64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return [...b];
};

export interface View {
  key: string;
  storage: string;
  numel: number;
  offset?: number;
  shape: unknown[];
  stride?: unknown[];
  type?: string;
}
const contiguousStride = (shape: number[]) =>
  shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
const any = (v: unknown): Ops =>
  typeof v !== 'number' ? P.str(String(v)) : Number.isInteger(v) ? P.int(v) : P.float(v);

/** The pickle torch.save writes for a state dict of tensor views. */
export function statePickle(views: View[]): Uint8Array {
  return P.pickle(
    P.ordered(
      views.map((v) => [
        P.str(v.key),
        P.reduce(
          P.global('torch._utils', '_rebuild_tensor_v2'),
          P.tuple(
            [
              ...P.tuple(
                P.str('storage'),
                P.global('torch', v.type ?? 'FloatStorage'),
                P.str(v.storage),
                P.str('cpu'),
                P.int(v.numel),
              ),
              0x51,
            ],
            P.int(v.offset ?? 0),
            P.tuple(...v.shape.map(any)),
            P.tuple(...(v.stride ?? contiguousStride(v.shape as number[])).map(any)),
            [0x89],
            P.reduce(P.global('collections', 'OrderedDict'), [0x29]),
          ),
        ),
      ]),
    ),
  );
}

// ************* zips *************

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Lies in the central directory. */
  size?: number;
  compSize?: number;
  flags?: number;
  method?: number;
  /** Point this entry's central record at another entry's local header. */
  localOf?: string;
}

/** A zip written by hand, so that every header field can lie. */
export function makeZip(
  entries: ZipEntry[],
  o: { count?: number; cdOffset?: number } = {},
): Uint8Array {
  const parts: Uint8Array[] = [];
  const cen: number[] = [];
  const offsets = new Map<string, number>();
  let at = 0;
  const add = (b: Uint8Array | number[]) => {
    parts.push(Uint8Array.from(b));
    at += b.length;
  };
  const zeros = (n: number) => new Array(n).fill(0);
  for (const e of entries) {
    const body = e.deflate ? deflateSync(e.data) : e.data;
    const name = [...enc.encode(e.name)];
    offsets.set(e.name, at);
    const method = e.method ?? (e.deflate ? 8 : 0);
    // version(s), flags, method, time + date + crc (zero: the readers do not check it)
    const head = (sig: number, versions: number) => [
      ...u32(sig),
      ...zeros(versions),
      ...u16(e.flags ?? 0),
      ...u16(method),
      ...zeros(8),
    ];
    const sizes = [...u32(e.compSize ?? body.length), ...u32(e.size ?? e.data.length)];
    add([...head(0x04034b50, 2), ...sizes, ...u16(name.length), 0, 0, ...name]);
    add(body);
    const local = offsets.get(e.localOf ?? e.name)!;
    // extra, comment, disk, internal and external attributes: zero
    cen.push(
      ...head(0x02014b50, 4),
      ...sizes,
      ...u16(name.length),
      ...zeros(12),
      ...u32(local),
      ...name,
    );
  }
  const count = o.count ?? entries.length;
  const cdOffset = o.cdOffset ?? at;
  add(cen);
  add([
    ...u32(0x06054b50),
    0,
    0,
    0,
    0,
    ...u16(count),
    ...u16(count),
    ...u32(cen.length),
    ...u32(cdOffset),
    0,
    0,
  ]);
  const out = new Uint8Array(at);
  let p = 0;
  for (const b of parts) out.set(b, (p += b.length) - b.length);
  return out;
}

export const f32bytes = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** A .pth: data.pkl plus the storages (float32 values by key), as torch.save lays them out. */
export function makePth(
  pkl: Uint8Array,
  storages: Record<string, Uint8Array>,
  extra: ZipEntry[] = [],
) {
  return makeZip([
    { name: 'archive/data.pkl', data: pkl },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    { name: 'archive/version', data: enc.encode('3\n') },
    ...extra,
  ]);
}

// ************* safetensors, TF.js *************

/** A safetensors file from any header (object or raw text) and data, optionally lying about the header length. */
export function rawSafetensors(header: unknown, data = new Uint8Array(0), headerLength?: bigint) {
  const h = typeof header === 'string' ? enc.encode(header) : enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

export function tfjsModel(
  weights: { name: string; shape: unknown[]; dtype?: string }[],
  paths = ['group1-shard1of1.bin'],
) {
  return {
    format: 'layers-model',
    modelTopology: {},
    weightsManifest: [{ paths, weights: weights.map((w) => ({ dtype: 'float32', ...w })) }],
  };
}

// ************* session archives *************

/** A history row (HistoryBatch); a diverged loss is NaN. */
export const BATCH = { iter: 0, fit: 0, epoch: 0, loss: NaN, smoothLoss: 1, lr: 1e-3, mom: 0.9 };

/** A small session (tests/export/export.test.ts checks it reads back exactly). */
export const sessionParts = () => ({
  manifest: { format: 'studio-session' as const, version: 1, created: 'now', arch: 'tiny' },
  settings: {
    setup: { arch: 'tiny-bn-cnn', data: 'demo' as const, size: 16 },
    frozenGroups: 0,
    lr: 1e-3,
    multiLabel: false,
    position: { fits: 1, iterations: 2, dataPasses: 3 },
  },
  classes: ['x', 'y'],
  split: { train: [], valid: [], test: [] },
  weights: new Map([['fc.weight', { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }]]),
  optimizer: {
    json: {
      hypers: [{ lr: 1e-3 }],
      state: [
        {
          key: 'fc.weight',
          entries: [
            ['grad_avg', { tensor: 'fc.weight/grad_avg' }],
            ['step', 2],
            ['do_wd', true],
          ] as [string, unknown][],
        },
      ],
    },
    tensors: new Map([
      ['fc.weight/grad_avg', { shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) }],
    ]),
  },
  history: {
    batches: [0, 1].map((iter) => ({ ...BATCH, iter })),
    epochs: [
      { fit: 0, epoch: 0, trainLoss: 1, validLoss: NaN, metrics: { accuracy: 0.5 }, seconds: 1 },
    ],
    fits: [{ args: { policy: 'fit' }, startIter: 0, epochsDone: 1 }],
  },
});

export const sessionBytes = () => packSession(sessionParts() as never);

// ************* checking a refusal *************

const MB = 2 ** 20;
const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

/** Runs `read`; it must refuse with one BadFileError matching `reason`, in time and memory. */
export function refused(
  read: () => unknown,
  reason: RegExp | string,
  ms = 2000,
  mb = 300,
): BadFileError {
  const [m0, t0] = [used(), performance.now()];
  let err: unknown;
  try {
    read();
  } catch (e) {
    err = e;
  }
  const [dt, dm] = [performance.now() - t0, (used() - m0) / MB];
  expect(err, 'the reader accepted the file').toBeInstanceOf(BadFileError);
  const e = err as BadFileError;
  expect(e.unexpected, `a raw error slipped through: ${e.message}`).toBe(false);
  expect(e.message).toMatch(reason);
  expect(dt, `took ${dt.toFixed(0)} ms`).toBeLessThan(ms);
  expect(dm, `kept ${dm.toFixed(0)} MB`).toBeLessThan(mb);
  return e;
}

/** A seeded PRNG (mulberry32) for the fuzz pass. */
export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
