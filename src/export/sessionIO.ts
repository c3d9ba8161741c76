// The worker's side of session archives: a Learner session -> archive bytes, and an archive's
// parts -> checks against the imported data and the state loaded into a freshly built Learner.
// Building and installing that Learner is the session-import handler's job
// (src/worker/handlers/export.ts), which keeps the current one aside until the import succeeds.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/importer';
import { History, setHistory } from '../learn/history';
import { compareSplit } from '../shared/split';
import type { Learner } from '../learn/learner';
import type { State } from '../learn/optimizer';
import type { LearnSession } from '../learn/session';
import type { EnsembleMember } from '../learn/ensemble';
import type { Model } from '../models/model';
import { mib } from '../shared/badFile';
import { loadStateDict } from '../models/weights/stateDict';
import type { RawTensor, StateDict } from '../models/weights/tensors';
import type { CpuTensor } from '../engine/cpuEngine/transfer';
import { takeSnapshot, type Snapshot } from '../learn/snapshot';
import { captureOfPath } from '../shared/captures';
import {
  packSession,
  type ArchivedCapture,
  SESSION_FORMAT,
  SESSION_VERSION,
  SessionArchiveError,
  type OptEntry,
  type OptimizerJson,
  type SessionParts,
  type SessionSplit,
} from './sessionArchive';

/** A CPU copy as the archive stores it (float32). */
export const rawOf = (c: CpuTensor): RawTensor => ({
  shape: c.shape,
  data: c.data instanceof Float32Array ? c.data : Float32Array.from(c.data),
});

function vocabOf(learn: Learner): string[] {
  return [...(learn.data.vocab ?? [])];
}
export const multiLabelOf = (learn: Learner) => !!learn.data.multiLabel;

function currentSplit(data: string, ds: Dataset | undefined): SessionSplit {
  const split: SessionSplit = { train: [], valid: [], test: [] };
  if (data !== 'imported') return split;
  for (const it of ds?.items ?? []) split[it.split].push(it.path);
  return split;
}

/** The webcam captures' bytes: the archive is their only copy besides the page's memory. */
async function archivedCaptures(ds: Dataset | undefined): Promise<ArchivedCapture[]> {
  const out: ArchivedCapture[] = [];
  for (const [path, file] of ds?.captures ?? []) {
    const c = captureOfPath(path);
    if (c) out.push({ ...c, bytes: new Uint8Array(await file.arrayBuffer()) });
  }
  return out;
}

/** Snapshot ensembles over this many bytes stay out of archives (and the autosave): three
 * ResNet50 snapshots are 300 MiB. */
export const SNAPSHOT_CAP = 256 * 2 ** 20;

export function snapshotsPart(
  members?: EnsembleMember[],
  cap = SNAPSHOT_CAP,
): SessionParts['snapshots'] {
  if (!members?.length) return undefined;
  const bytes = members.reduce(
    (s, m) => s + [...m.weights.values()].reduce((b, c) => b + 4 * c.data.length, 0),
    0,
  );
  if (bytes > cap) {
    const omitted = `${members.length} snapshots of ${mib(bytes)}: over the ${mib(cap)} cap for archives`;
    return { json: { members: [], omitted }, tensors: new Map() };
  }
  const tensors: StateDict = new Map();
  members.forEach((m, i) => m.weights.forEach((c, k) => tensors.set(`${i}/${k}`, rawOf(c))));
  return { json: { members: members.map(({ epoch, iter }) => ({ epoch, iter })) }, tensors };
}

/** An archive's snapshot ensemble as members for `model`: each must hold every param and
 * buffer at its shape, and nothing else; a note in `warnings` if the archive left it out. */
export function snapshotsOf(
  model: Model,
  parts: SessionParts,
  warnings: string[],
): EnsembleMember[] | undefined {
  const s = parts.snapshots;
  if (s?.json.omitted) warnings.push(`no snapshot ensemble in this archive: ${s.json.omitted}`);
  if (!s?.json.members.length) return undefined;
  const bad = (why: string) => new SessionArchiveError(`snapshots.safetensors: ${why}`);
  const vars = new Map([...model.params, ...model.buffers]);
  if (s.tensors.size !== vars.size * s.json.members.length)
    throw bad(`${s.tensors.size} tensors for ${s.json.members.length} snapshots of ${vars.size}`);
  return s.json.members.map(({ epoch, iter }, i) => {
    const weights = new Map<string, CpuTensor>();
    for (const [k, v] of vars) {
      const t = s.tensors.get(`${i}/${k}`);
      if (!t) throw bad(`snapshot ${i} lacks '${k}'`);
      if (t.shape.join() !== v.shape.join())
        throw bad(`'${i}/${k}' has shape [${t.shape}], the model's is [${v.shape}]`);
      const data = v.dtype === 'int32' ? Int32Array.from(t.data) : t.data;
      weights.set(k, { shape: [...v.shape], dtype: v.dtype, data });
    }
    return { epoch, iter, weights };
  });
}

/** The session as archive bytes; `ds`: the imported dataset (its split goes in the archive);
 * `snap`: a snapshot already taken (the epoch-end checkpoint's), else one is taken here. */
export async function exportSession(
  { learn, setup, snapshots }: LearnSession,
  ds: Dataset | undefined,
  snap?: Snapshot,
): Promise<Uint8Array> {
  const m = learn.model;
  snap ??= await takeSnapshot(learn);
  const weights: StateDict = new Map([...snap.weights].map(([k, c]) => [k, rawOf(c)]));
  let optimizer: { json: OptimizerJson; tensors: StateDict } | undefined;
  if (snap.opt) {
    const tensors: StateDict = new Map();
    const state: OptimizerJson['state'] = [];
    for (const [key, s] of snap.opt.state) {
      const entries: OptEntry[] = [];
      for (const [name, v] of Object.entries(s)) {
        if (typeof v === 'object') {
          const tname = `${key}/${name}`;
          tensors.set(tname, rawOf(v));
          entries.push([name, { tensor: tname }]);
        } else entries.push([name, v === undefined ? null : v]);
      }
      state.push({ key, entries });
    }
    optimizer = { json: { hypers: snap.opt.hypers.map((h) => ({ ...h })), state }, tensors };
  }
  const history = snap.history;
  const last = history.fits[history.fits.length - 1];
  return packSession({
    manifest: {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      created: new Date().toISOString(),
      arch: m.arch,
    },
    settings: {
      setup: { ...setup },
      frozenGroups: m.frozenGroups,
      lr: learn.lr,
      wd: learn.wd,
      multiLabel: multiLabelOf(learn),
      position: {
        fits: history.fits.length,
        iterations: history.batches.length,
        dataPasses: learn.dataPasses,
        lastFit: last && { args: last.args, epochsDone: last.epochsDone },
      },
    },
    classes: vocabOf(learn),
    split: currentSplit(setup.data, ds),
    weights,
    optimizer,
    history,
    cleaner: setup.data === 'imported' && ds?.edits ? { edits: ds.edits } : undefined,
    captures: setup.data === 'imported' ? await archivedCaptures(ds) : [],
    snapshots: snapshotsPart(snapshots),
  });
}

/** Data checks before anything is built: the imported folder must be the session's. */
export function checkData(
  ds: Dataset | undefined,
  data: string,
  classes: string[],
  split: SessionSplit,
  warnings: string[],
) {
  if (data !== 'imported') return;
  const n = split.train.length + split.valid.length + split.test.length;
  if (!ds)
    throw new SessionArchiveError(
      `this session trained on an imported folder (${n} images): import that folder in the Data panel first`,
    );
  const have = ds.summary.classes;
  if (have.join('\n') !== classes.join('\n'))
    throw new SessionArchiveError(
      `the imported folder's classes [${have.join(', ')}] differ from the session's [${classes.join(', ')}]`,
    );
  const { absent, moved } = compareSplit(ds.items, split);
  if (absent.length)
    throw new SessionArchiveError(
      `the imported folder lacks ${absent.length} of the session's images (e.g. ${absent.slice(0, 3).join(', ')})`,
    );
  if (moved) warnings.push(`${moved} images moved to the session's train/valid split`);
}

/** Loads an archive's weights, optimizer state, position and history into a Learner built
 * with the archive's setup; throws (naming what does not fit) before the history is set. */
export function loadSessionParts(learn: Learner, parts: SessionParts) {
  const m = learn.model;
  loadStateDict(m, parts.weights, 'tf', 'session archive weights');
  m.frozenGroups = parts.settings.frozenGroups;
  learn.lr = parts.settings.lr;
  learn.wd = parts.settings.wd;
  // The next fit draws new shuffles and augmentations, as it would have in the saved session.
  learn.dataPasses = parts.settings.position.dataPasses ?? 0;
  if (parts.optimizer) loadOptimizer(learn, parts.optimizer);
  const history = History.from(parts.history);
  setHistory(learn, history);
  return history;
}

function loadOptimizer(learn: Learner, { json, tensors }: NonNullable<SessionParts['optimizer']>) {
  const m = learn.model;
  learn.createOpt();
  const opt = learn.opt!;
  if (json.hypers.length !== opt.hypers.length)
    throw new SessionArchiveError(
      `session optimizer has ${json.hypers.length} parameter groups, the model ${opt.hypers.length}`,
    );
  const state = new Map<string, State>();
  try {
    for (const { key, entries } of json.state) {
      const p = m.params.get(key);
      if (!p)
        throw new SessionArchiveError(`session optimizer state for unknown parameter '${key}'`);
      const s: State = {};
      for (const [name, v] of entries) {
        if (v && typeof v === 'object') {
          const t = tensors.get(v.tensor)!;
          if (t.shape.join() !== p.shape.join())
            throw new SessionArchiveError(
              `session optimizer '${v.tensor}' has shape [${t.shape}], parameter [${p.shape}]`,
            );
          s[name] = tf.tensor(t.data, t.shape);
        } else s[name] = v === null ? undefined : v;
      }
      state.set(key, s);
    }
  } catch (e) {
    for (const s of state.values())
      tf.dispose(Object.values(s).filter((v) => v instanceof tf.Tensor));
    throw e;
  }
  opt.restore({ state, hypers: json.hypers.map((h) => ({ ...h })) });
}
