// The shapes of a session archive's JSON entries, checked field by field before anything is
// built from them: a wrong type or an out-of-range value is refused with the field's name
// (`settings.json: lr must be a number in [0, 1000] (got "fast")`). Unknown extra fields pass:
// a newer studio may write more. The checks are plain functions composed like the data.
import { describe, refuse } from '../shared/badFile';

export type Check = (v: unknown, at: string) => void;

const fail = (at: string, want: string, v: unknown): never =>
  refuse(`${at || 'the file'} must be ${want} (got ${describe(v)})`);

const num =
  (min = -Infinity, max = Infinity, int = false): Check =>
  (v, at) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && v % 1))
      fail(
        at,
        `${int ? 'an integer' : 'a number'}${min > -Infinity ? ` in [${min}, ${max}]` : ''}`,
        v,
      );
  };
const int = (min: number, max: number) => num(min, max, true);
const bool: Check = (v, at) => void (typeof v !== 'boolean' && fail(at, 'true or false', v));
const str =
  (max = 10_000): Check =>
  (v, at) =>
    void (
      (typeof v !== 'string' || v.length > max) &&
      fail(at, `a string (at most ${max} characters)`, v)
    );
const oneOf =
  (...vals: readonly unknown[]): Check =>
  (v, at) =>
    void (
      !vals.includes(v) && fail(at, `one of ${vals.map((x) => JSON.stringify(x)).join(', ')}`, v)
    );
const nullable =
  (c: Check): Check =>
  (v, at) =>
    v === null || c(v, at);
const any: Check = () => {};

const list =
  (item: Check, min = 0): Check =>
  (v, at) => {
    if (!Array.isArray(v) || v.length < min)
      fail(at, min ? `a list of at least ${min}` : 'a list', v);
    (v as unknown[]).forEach((x, i) => item(x, `${at}[${i}]`));
  };
/** Fields named `x?` are optional. */
const obj =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(at, 'an object', v);
    const o = v as Record<string, unknown>;
    for (const [f, check] of Object.entries(fields)) {
      const name = f.replace(/\?$/, '');
      const path = at ? `${at}.${name}` : name;
      if (o[name] !== undefined) check(o[name], path);
      else if (!f.endsWith('?')) refuse(`${path} is missing`);
    }
  };
const record =
  (value: Check): Check =>
  (v, at) => {
    obj({})(v, at);
    for (const [k, x] of Object.entries(v as object)) value(x, `${at}.${k}`);
  };
const tuple =
  (...items: Check[]): Check =>
  (v, at) => {
    if (!Array.isArray(v) || v.length !== items.length) fail(at, `a list of ${items.length}`, v);
    items.forEach((c, i) => c((v as unknown[])[i], `${at}[${i}]`));
  };
const either =
  (...checks: Check[]): Check =>
  (v, at) => {
    const errs: string[] = [];
    for (const c of checks)
      try {
        return c(v, at);
      } catch (e) {
        errs.push((e as Error).message);
      }
    refuse(errs.join('; or '));
  };

const count = int(0, 1e9);
const name = str(1000);

export const MANIFEST = obj({ created: str(100), arch: name, entries: list(name) });

export const SETTINGS = obj({
  setup: obj({
    arch: name,
    data: oneOf('demo', 'imported'),
    'aug?': oneOf('side-on', 'top-down', 'none'),
    'size?': int(8, 4096),
    'bs?': int(1, 65_536),
    'nTrain?': int(0, 1e6),
    'nValid?': int(0, 1e6),
    'seed?': int(-(2 ** 53), 2 ** 53),
    'labelSmoothing?': bool,
    'pretrained?': bool,
    'body?': oneOf('current', 'arch'),
    'opt?': oneOf('adam', 'sgd'),
    'mom?': num(0, 1),
  }),
  frozenGroups: int(0, 1000),
  lr: num(0, 1000),
  'wd?': num(0, 1000),
  multiLabel: bool,
  position: obj({
    fits: count,
    iterations: count,
    'dataPasses?': count,
    'lastFit?': obj({ args: record(any), epochsDone: count }),
  }),
});

export const CLASSES = list(name, 1);

export const SPLIT = obj({ train: list(name), valid: list(name), test: list(name) });

// The rows as History writes them (shared/protocol HistoryData); losses are NaN after a
// divergence and validation's are NaN in a fit without one: JSON writes NaN as null.
const metric = nullable(num());
export const HISTORY = obj({
  batches: list(
    obj({
      iter: count,
      fit: count,
      epoch: count,
      loss: metric,
      smoothLoss: metric,
      lr: metric,
      mom: metric,
    }),
  ),
  epochs: list(
    obj({
      fit: count,
      epoch: count,
      trainLoss: metric,
      validLoss: metric,
      metrics: record(metric),
      seconds: metric,
    }),
  ),
  fits: list(
    obj({
      args: record(any),
      startIter: count,
      epochsDone: count,
      'frozenGroups?': count,
      'size?': count,
    }),
  ),
});

// The snapshot ensemble (src/learn/ensemble.ts): its members' tensors are `<i>/<key>` in
// snapshots.safetensors; `omitted`: why an archive does not keep them (then no tensors).
export const SNAPSHOTS = obj({
  members: list(obj({ epoch: count, iter: count })),
  'omitted?': str(1000),
});

export const OPTIMIZER = obj({
  hypers: list(record(num()), 1),
  state: list(
    obj({
      key: name,
      entries: list(tuple(name, either(num(), bool, oneOf(null), obj({ tensor: name })))),
    }),
  ),
});

// The cleaner's overlay (src/shared/cleaner.ts); paths and classes are checked against the data
// on import (src/worker/handlers/export.ts).
export const CLEANER = obj({
  edits: list(
    either(
      obj({ path: name, action: oneOf('delete') }),
      obj({ path: name, action: oneOf('relabel'), labels: list(name) }),
    ),
  ),
});
