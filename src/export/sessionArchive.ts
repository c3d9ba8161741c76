// The session archive (.zip): everything needed to resume training in another page.
//   manifest.json        {format: 'studio-session', version, created, arch, entries}
//   settings.json        learnSetup args, freeze state, lr/wd, fit position
//   classes.json         the vocab, in model output order
//   split.json           item paths per split (empty lists for the procedural demo data)
//   model.safetensors    params + buffers under the model's keys, in the studio's layout (lossless)
//   optimizer.json       per-group hypers, and per param (in the optimizer's order) its state
//                        entries in order: numbers/booleans inline, tensors by name
//   optimizer.safetensors  the state tensors, named `<param key>/<state name>`
//   history.json         every training batch (global iteration), epoch row and fit so far
//   cleaner.json         optional: the cleaner's edit overlay {edits: [{path, action, labels?}]}
//   captures/<class>/webcam-<n>.jpg  optional: the webcam captures' JPEG bytes (a dropped file's
//                        bytes stay on the user's disk; a capture has no other copy)
//   snapshots.json       optional: the snapshot ensemble's members {members: [{epoch, iter}]},
//                        or {members: [], omitted: why} when they were too big to keep
//   snapshots.safetensors  their params + buffers, named `<member index>/<key>`
// Pure: bytes <-> parts. Reading takes only the entries it needs from the zip (zip.ts: sizes
// checked before inflating), checks every JSON entry's fields (sessionSchema.ts) and the tensors
// (safetensors.ts), and refuses with a SessionArchiveError naming the file, entry and reason.
import { strToU8, zipSync } from 'fflate';
import {
  BadFileError,
  describe,
  LIMITS,
  mib,
  ParseBudget,
  parseJson,
  readingFile,
  refuse,
} from '../shared/badFile';
import { readSafetensors, writeSafetensors } from '../models/weights/safetensors';
import type { RawTensor, StateDict } from '../models/weights/tensors';
import type { HistoryData } from '../shared/protocol';
import { openZip, type Zip } from '../models/weights/zip';
import type { CleanerEdit } from '../shared/cleaner';
import { captureEntry, MAX_CAPTURES, parseCaptureEntry } from '../shared/captures';
import {
  CLASSES,
  CLEANER,
  HISTORY,
  MANIFEST,
  OPTIMIZER,
  SETTINGS,
  SNAPSHOTS,
  SPLIT,
  type Check,
} from './sessionSchema';

export const SESSION_FORMAT = 'studio-session';
export const SESSION_VERSION = 1;

/** The one error a session archive is refused with (also for data that does not fit it). */
export class SessionArchiveError extends BadFileError {}

export interface SessionManifest {
  format: typeof SESSION_FORMAT;
  version: number;
  created: string;
  arch: string;
  entries: string[];
}
export interface SessionSettings {
  /** LearnSetupArgs, all fields filled in (src/learn/session.ts). */
  setup: Record<string, unknown> & { arch: string; data: 'demo' | 'imported' };
  frozenGroups: number;
  lr: number;
  wd?: number;
  multiLabel: boolean;
  /** Where training stands: fits run so far, the last one's args and finished epochs. */
  position: {
    fits: number;
    iterations: number;
    /** Learner.dataPasses: training passes drawn so far (seeds the next one); absent in older archives. */
    dataPasses?: number;
    lastFit?: { args: Record<string, unknown>; epochsDone: number };
  };
}
export type OptEntry = [name: string, value: number | boolean | null | { tensor: string }];
export interface OptimizerJson {
  hypers: Record<string, number>[];
  state: { key: string; entries: OptEntry[] }[];
}
export interface SessionSplit {
  train: string[];
  valid: string[];
  test: string[];
}
export interface SessionParts {
  manifest: SessionManifest;
  settings: SessionSettings;
  classes: string[];
  split: SessionSplit;
  weights: StateDict;
  /** Absent when the session never trained (no optimizer yet). */
  optimizer?: { json: OptimizerJson; tensors: StateDict };
  history: HistoryData;
  /** The cleaner's overlay; absent (or empty) when nothing was cleaned. */
  cleaner?: { edits: CleanerEdit[] };
  /** The snapshot ensemble (src/learn/ensemble.ts); absent when the last fit kept none. */
  snapshots?: { json: SnapshotsJson; tensors: StateDict };
}
export interface SnapshotsJson {
  members: { epoch: number; iter: number }[];
  /** Why the archive does not keep them (over SNAPSHOT_CAP): then `members` is empty. */
  omitted?: string;
}
/** A webcam capture as the archive keeps it. */
export interface ArchivedCapture {
  cls: string;
  id: number;
  bytes: Uint8Array;
}
/** One capture's JPEG: a 1080p frame is ~0.5 MB. */
export const MAX_CAPTURE_BYTES = 8 * 2 ** 20;

const REQUIRED = [
  'manifest.json',
  'settings.json',
  'classes.json',
  'split.json',
  'model.safetensors',
  'history.json',
] as const;

const json = (v: unknown) => strToU8(JSON.stringify(v));

export function packSession(
  p: Omit<SessionParts, 'manifest'> & {
    manifest: Omit<SessionManifest, 'entries'>;
    captures?: ArchivedCapture[];
  },
): Uint8Array {
  const files: Record<string, Uint8Array> = {
    'settings.json': json(p.settings),
    'classes.json': json(p.classes),
    'split.json': json(p.split),
    'model.safetensors': writeSafetensors(p.weights, { layout: 'studio' }),
    'history.json': json(p.history),
  };
  if (p.optimizer) {
    files['optimizer.json'] = json(p.optimizer.json);
    files['optimizer.safetensors'] = writeSafetensors(p.optimizer.tensors, { layout: 'studio' });
  }
  if (p.cleaner?.edits.length) files['cleaner.json'] = json(p.cleaner);
  for (const c of p.captures ?? []) files[captureEntry(c)] = c.bytes;
  if (p.snapshots) files['snapshots.json'] = json(p.snapshots.json);
  if (p.snapshots?.json.members.length)
    files['snapshots.safetensors'] = writeSafetensors(p.snapshots.tensors, { layout: 'studio' });
  const manifest: SessionManifest = { ...p.manifest, entries: Object.keys(files) };
  // Store, don't deflate, the tensors and JPEGs: they do not compress and deflate is slow.
  return zipSync({
    'manifest.json': json(manifest),
    ...Object.fromEntries(
      Object.entries(files).map(([k, v]) => [k, [v, { level: k.endsWith('.json') ? 6 : 0 }]]),
    ),
  } as Parameters<typeof zipSync>[0]);
}

/** A JSON entry, parsed under the archive's budget (time, JSON values) and checked by `schema`. */
function entryJson<T>(zip: Zip, name: string, schema: Check, budget: ParseBudget): T {
  const v = parseJson(zip.read(name, LIMITS.jsonBytes), name, LIMITS.jsonDepth, budget);
  readingFile(name, () => schema(v, ''));
  return v as T;
}

function tensors(zip: Zip, name: string, budget: ParseBudget): StateDict {
  // Copies, not views into the archive: the archive's bytes can go once it is read.
  const sd = readSafetensors(zip.read(name), name, budget).tensors;
  for (const [k, t] of sd) sd.set(k, { shape: t.shape, data: t.data.slice() });
  return sd;
}

/** JSON writes NaN as null: the history's numbers come back as NaN (fits' args stay as read). */
function nanForNull(h: HistoryData): HistoryData {
  const revive = (row: object) => {
    for (const [k, v] of Object.entries(row))
      if (v === null) (row as Record<string, unknown>)[k] = NaN;
      else if (k === 'metrics') revive(v as object);
  };
  [...h.batches, ...h.epochs].forEach(revive);
  return h;
}

/** Bytes -> parts; throws SessionArchiveError naming the problem (not a zip, missing entry, ...). */
export function unpackSession(
  bytes: Uint8Array,
  file = 'session archive',
  budget = new ParseBudget(),
): SessionParts {
  return readingFile(file, () => unpack(bytes, budget), SessionArchiveError);
}

function openArchive(bytes: Uint8Array, budget: ParseBudget): Zip {
  if (bytes.length > LIMITS.fileBytes)
    refuse(`${mib(bytes.length)}: over the ${mib(LIMITS.fileBytes)} cap for session archives`);
  try {
    return openZip(bytes, budget);
  } catch (e) {
    return refuse(`not a readable .zip: ${e instanceof BadFileError ? e.reason : e}`);
  }
}

/** The webcam captures an archive carries, read on their own: the page puts them back into the
 * Data panel before the session import checks the data against the archive. */
export function readCaptures(
  bytes: Uint8Array,
  file = 'session archive',
  budget = new ParseBudget(),
): ArchivedCapture[] {
  return readingFile(
    file,
    () => {
      const zip = openArchive(bytes, budget);
      const names = zip.names.filter((n) => n.startsWith('captures/'));
      if (names.length > MAX_CAPTURES)
        refuse(`holds ${names.length} webcam captures: over the cap of ${MAX_CAPTURES}`);
      return names.map((n) => {
        const c = parseCaptureEntry(n);
        if (!c) refuse(`${n}: not a webcam capture (captures/<class>/webcam-<n>.jpg)`);
        return { ...c, bytes: zip.read(n, MAX_CAPTURE_BYTES).slice() };
      });
    },
    SessionArchiveError,
  );
}

function unpack(bytes: Uint8Array, budget: ParseBudget): SessionParts {
  const zip = openArchive(bytes, budget);
  const entry = <T>(name: string, schema: Check) => entryJson<T>(zip, name, schema, budget);
  const missing = REQUIRED.filter((n) => !zip.has(n));
  if (missing.length)
    refuse(
      `not a complete session archive: missing ${missing.join(', ')}` +
        (zip.has('manifest.json') ? '' : ' (is this a Studio session .zip?)'),
    );
  const manifest = entry<SessionManifest>('manifest.json', (v) => {
    const m = v as Partial<SessionManifest> | null;
    if (m?.format !== SESSION_FORMAT)
      refuse(`not a session archive: manifest format is ${describe(m?.format)}`);
    if (!Number.isInteger(m.version) || m.version! < 1)
      refuse(`version must be a positive integer (got ${describe(m.version)})`);
    if (m.version! > SESSION_VERSION)
      refuse(
        `session archive version ${m.version} is newer than this studio reads (${SESSION_VERSION})`,
      );
    MANIFEST(v, '');
  });
  const lost = manifest.entries.filter((n) => !zip.has(n));
  if (lost.length) refuse(`missing ${lost.join(', ')} (listed in its manifest)`);
  const hasOpt = zip.has('optimizer.json');
  if (hasOpt !== zip.has('optimizer.safetensors'))
    refuse(`${hasOpt ? 'optimizer.safetensors' : 'optimizer.json'} is missing`);
  const parts: SessionParts = {
    manifest,
    settings: entry('settings.json', SETTINGS),
    classes: entry('classes.json', CLASSES),
    split: entry('split.json', SPLIT),
    weights: tensors(zip, 'model.safetensors', budget),
    history: nanForNull(entry('history.json', HISTORY)),
  };
  if (hasOpt) {
    const optJson = entry<OptimizerJson>('optimizer.json', OPTIMIZER);
    const optTensors = tensors(zip, 'optimizer.safetensors', budget);
    for (const { key, entries } of optJson.state)
      for (const [, v] of entries)
        if (v && typeof v === 'object' && !optTensors.has(v.tensor))
          refuse(`optimizer state tensor '${v.tensor}' of '${key}' is missing`);
    parts.optimizer = { json: optJson, tensors: optTensors };
  }
  if (zip.has('cleaner.json')) parts.cleaner = entry('cleaner.json', CLEANER);
  if (zip.has('snapshots.json')) {
    const json = entry<SnapshotsJson>('snapshots.json', SNAPSHOTS);
    const has = zip.has('snapshots.safetensors');
    if (json.members.length && !has) refuse('snapshots.safetensors is missing');
    parts.snapshots = {
      json,
      tensors: has ? tensors(zip, 'snapshots.safetensors', budget) : new Map(),
    };
  }
  return parts;
}

export type { RawTensor };
