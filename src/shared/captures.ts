// Webcam captures (the Data panel's camera): frames grabbed into a class become files of the
// dataset, placed where the dropped folder keeps its class folders, so they go through the same
// importer, cache, folder labelling and split rules as dropped images. The session archive
// keeps their bytes as `captures/<class>/webcam-<n>.jpg` (a dropped file's bytes stay on disk).
// Pure: no DOM.
import { normalizePath, readLayout, splitOfFolder, type FileRef } from './items';

/** One grabbed frame: `id` numbers the session's captures (never reused, so paths stay put). */
export interface Capture {
  id: number;
  cls: string;
  file: File;
}

/** The folder of captures when nothing was dropped. */
export const CAPTURE_ROOT = 'webcam';
/** Between frames grabbed while the capture button is held. */
export const CAPTURE_INTERVAL_MS = 150;
/** Captures one session keeps: ~30 KB each at 224 px, so ~150 MB at the cap. */
export const MAX_CAPTURES = 5000;

export const captureName = (id: number) => `webcam-${id}.jpg`;
/** The archive entry of a capture, and back. */
export const captureEntry = (c: { cls: string; id: number }) =>
  `captures/${c.cls}/${captureName(c.id)}`;
const ENTRY = /^captures\/([^/]+)\/webcam-(\d{1,9})\.jpg$/;
export function parseCaptureEntry(name: string): { cls: string; id: number } | undefined {
  const m = ENTRY.exec(name);
  return m && !captureClassProblem(m[1]) ? { cls: m[1], id: Number(m[2]) } : undefined;
}

/** Why `name` cannot be a class folder of captures, or undefined. */
export function captureClassProblem(name: string): string | undefined {
  if (!name.trim()) return 'name the class first';
  if (name !== name.trim()) return `class name "${name}" starts or ends with a space`;
  if (name.length > 64) return `class name "${name.slice(0, 20)}..." is over 64 characters`;
  if (/[/\\]/.test(name))
    return `class name "${name}" cannot contain / or \\ (it is a folder name)`;
  if (name.startsWith('.'))
    return `class name "${name}" cannot start with a dot (hidden folders are ignored)`;
  const split = splitOfFolder(name);
  if (split) return `class name "${name}" would be read as a ${split} folder: choose another`;
  return undefined;
}

/**
 * Where captures go: beside the class folders of the dropped folder (in its train/ folder when
 * it has split folders, as fastai's GrandparentSplitter expects), or webcam/ when nothing was
 * dropped. Loose files with no common folder: class folders at the top.
 */
export function captureBase(dropped: FileRef[]): string {
  if (dropped.length === 0) return CAPTURE_ROOT;
  const layout = readLayout(dropped);
  const inTrain = layout.candidates.find((c) => c.folderSplit === 'train');
  if (!inTrain) return layout.root;
  // The train folder is the first split-named folder below the root.
  const parts = inTrain.path.split('/');
  const from = layout.root ? 1 : 0;
  const at = parts.findIndex((d, i) => i >= from && i < parts.length - 1 && !!splitOfFolder(d));
  return parts.slice(0, at + 1).join('/');
}

/** The captures as files of the import, their paths clear of the dropped files'. */
export function capturePaths(
  dropped: FileRef[],
  captures: Capture[],
): { path: string; file: File }[] {
  const base = captureBase(dropped);
  const taken = new Set(dropped.map((f) => normalizePath(f.path)));
  return captures.map((c) => {
    const dir = [base, c.cls].filter(Boolean).join('/');
    let path = `${dir}/${captureName(c.id)}`;
    for (let k = 2; taken.has(path); k++) path = `${dir}/webcam-${c.id}-${k}.jpg`;
    taken.add(path);
    return { path, file: c.file };
  });
}

/** The capture a path of the import holds (class folder and id), for the session archive. */
export function captureOfPath(path: string): { cls: string; id: number } | undefined {
  const parts = path.split('/');
  const m = /^webcam-(\d{1,9})(-\d+)?\.jpg$/.exec(parts[parts.length - 1] ?? '');
  const cls = parts[parts.length - 2];
  return m && cls ? { cls, id: Number(m[1]) } : undefined;
}

/** FNV-1a of a restored capture's bytes, as its File's lastModified: the worker's decode cache
 * keys files by size and lastModified, so the same capture restored twice decodes once. */
export function contentStamp(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** What the page says when getUserMedia fails (the DOMException's name says why). */
export function cameraProblem(err: unknown): string {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'camera access was denied: allow the camera for this page in the browser (the frames never leave it)';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'no camera found: connect one, or drop a folder of images instead';
  if (name === 'NotReadableError' || name === 'AbortError')
    return 'the camera is busy or failed to start: close other apps using it and try again';
  if (name === 'NoMediaDevices')
    return 'this browser gives no camera access here (it needs https or localhost)';
  const msg = (err as { message?: string } | null)?.message;
  return `the camera did not start (${name ?? 'error'}${msg ? `: ${msg}` : ''})`;
}
