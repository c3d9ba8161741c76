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
// Pure: bytes <-> parts, with validation that names what is wrong (SessionArchiveError).
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { readSafetensors, writeSafetensors } from '../models/weights/safetensors';
import type { RawTensor, StateDict } from '../models/weights/tensors';

export const SESSION_FORMAT = 'studio-session';
export const SESSION_VERSION = 1;

export class SessionArchiveError extends Error {}

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
  history: { batches: unknown[]; epochs: unknown[]; fits: unknown[] };
}

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
  p: Omit<SessionParts, 'manifest'> & { manifest: Omit<SessionManifest, 'entries'> },
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
  const manifest: SessionManifest = { ...p.manifest, entries: Object.keys(files) };
  // Store, don't deflate, the tensors: float noise does not compress and deflate is slow.
  return zipSync({
    'manifest.json': json(manifest),
    ...Object.fromEntries(
      Object.entries(files).map(([k, v]) => [k, [v, { level: k.endsWith('.json') ? 6 : 0 }]]),
    ),
  } as Parameters<typeof zipSync>[0]);
}

function parseJson<T>(files: Record<string, Uint8Array>, name: string): T {
  try {
    return JSON.parse(strFromU8(files[name])) as T;
  } catch {
    throw new SessionArchiveError(`session archive: ${name} is not valid JSON`);
  }
}

function tensors(files: Record<string, Uint8Array>, name: string): StateDict {
  try {
    // Copies, not views into the archive: the archive's bytes can go once it is read.
    const sd = readSafetensors(files[name]).tensors;
    for (const [k, t] of sd) sd.set(k, { shape: t.shape, data: t.data.slice() });
    return sd;
  } catch (e) {
    throw new SessionArchiveError(`session archive: ${name}: ${(e as Error).message}`);
  }
}

/** Bytes -> parts; throws SessionArchiveError naming the problem (not a zip, missing entry, ...). */
export function unpackSession(bytes: Uint8Array): SessionParts {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new SessionArchiveError(
      `not a session archive: the file is not a readable .zip (${(e as Error).message})`,
    );
  }
  const missing = REQUIRED.filter((n) => !files[n]);
  if (missing.length)
    throw new SessionArchiveError(
      `not a complete session archive: missing ${missing.join(', ')}` +
        (files['manifest.json'] ? '' : ' (is this a Studio session .zip?)'),
    );
  const manifest = parseJson<SessionManifest>(files, 'manifest.json');
  if (manifest.format !== SESSION_FORMAT)
    throw new SessionArchiveError(`not a session archive: manifest format is '${manifest.format}'`);
  if (manifest.version > SESSION_VERSION)
    throw new SessionArchiveError(
      `session archive version ${manifest.version} is newer than this studio reads (${SESSION_VERSION})`,
    );
  const lost = manifest.entries.filter((n) => !files[n]);
  if (lost.length)
    throw new SessionArchiveError(
      `session archive is missing ${lost.join(', ')} (listed in its manifest)`,
    );
  const settings = parseJson<SessionSettings>(files, 'settings.json');
  if (!settings.setup || typeof settings.setup.arch !== 'string')
    throw new SessionArchiveError('session archive: settings.json has no setup.arch');
  const classes = parseJson<string[]>(files, 'classes.json');
  if (!Array.isArray(classes) || !classes.length)
    throw new SessionArchiveError('session archive: classes.json is not a list of classes');
  const hasOpt = !!files['optimizer.json'];
  if (hasOpt !== !!files['optimizer.safetensors'])
    throw new SessionArchiveError(
      `session archive: ${hasOpt ? 'optimizer.safetensors' : 'optimizer.json'} is missing`,
    );
  const parts: SessionParts = {
    manifest,
    settings,
    classes,
    split: parseJson<SessionSplit>(files, 'split.json'),
    weights: tensors(files, 'model.safetensors'),
    history: parseJson(files, 'history.json'),
  };
  if (hasOpt) {
    const optJson = parseJson<OptimizerJson>(files, 'optimizer.json');
    const optTensors = tensors(files, 'optimizer.safetensors');
    for (const { key, entries } of optJson.state ?? [])
      for (const [, v] of entries)
        if (v && typeof v === 'object' && !optTensors.has(v.tensor))
          throw new SessionArchiveError(
            `session archive: optimizer state tensor '${v.tensor}' of '${key}' is missing`,
          );
    parts.optimizer = { json: optJson, tensors: optTensors };
  }
  return parts;
}

export type { RawTensor };
