// Getting files in, on the main thread: a webkitdirectory <input> (each File carries its
// webkitRelativePath) or a drop of folders and loose files (walk the FileSystemEntry tree;
// DataTransfer items must be read during the drop event itself, the walk may then take its time).
import { MAX_IMPORT_FILES } from '../shared/items';

export interface PickedFile {
  path: string;
  file: File;
}

export interface Picked {
  files: PickedFile[];
  /** Folders with nothing inside: only a directory walk can see them. */
  emptyDirs: string[];
}

export function filesFromInput(list: FileList | File[]): PickedFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

const fileOf = (e: FileSystemFileEntry) =>
  new Promise<File>((resolve, reject) => e.file(resolve, reject));

/** readEntries returns at most ~100 entries per call: call until it returns none (or `limit`). */
async function readAll(dir: FileSystemDirectoryEntry, limit: number): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    out.push(...batch);
    if (batch.length === 0 || out.length > limit) return out;
  }
}

/** Files and empty folders listed so far: one past the cap refuses the import (tooManyFiles). */
export const pickedCount = (p: Picked) => p.files.length + p.emptyDirs.length;

async function walkEntry(entry: FileSystemEntry, out: Picked) {
  if (pickedCount(out) > MAX_IMPORT_FILES) return; // stop listing: the import is refused anyway
  const path = entry.fullPath.replace(/^\/+/, '');
  if (entry.isFile) {
    out.files.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  const children = await readAll(
    entry as FileSystemDirectoryEntry,
    MAX_IMPORT_FILES - pickedCount(out),
  );
  if (children.length === 0) out.emptyDirs.push(path);
  for (const c of children) await walkEntry(c, out);
}

/** Call synchronously from the drop handler: it snapshots the entries before the event ends. */
export function filesFromDrop(dt: DataTransfer): Promise<Picked> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files));
  return walkEntries(entries, loose);
}

/** Walks dropped entries (folders recursively) plus loose files into one list. */
export async function walkEntries(entries: FileSystemEntry[], loose: File[] = []): Promise<Picked> {
  const out: Picked = { files: filesFromInput(loose), emptyDirs: [] };
  for (const e of entries) await walkEntry(e, out);
  return out;
}
