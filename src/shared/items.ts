// From a walked folder (relative paths) to labelled items: what is an image, what is hidden or
// foreign, which folder is the class, which folder is the split. Pure: no DOM, no tfjs.

export type Split = 'train' | 'valid' | 'test';

/** One file as the walk found it: `path` is relative and '/'-separated, root folder first. */
export interface FileRef {
  path: string;
  size: number;
}

export interface Skipped {
  path: string;
  reason: string;
}

/** What the layout of the dropped folder says about a file, before any labeller runs. */
export interface Candidate {
  path: string;
  /** Path below the common root ("one/nested/a.jpg"). */
  rel: string;
  name: string;
  /** Split from a train/valid/test folder, when the dataset is laid out that way. */
  folderSplit?: Split;
  /** First folder below the split folder (or below the root): the class for the folder labeller. */
  classFolder?: string;
}

export interface Layout {
  candidates: Candidate[];
  skipped: Skipped[];
  /** Hidden folders (".git", ".hidden_folder") whose contents were ignored, with file counts. */
  hiddenFolders: { path: string; files: number }[];
  /** Every class folder seen (even if all its files were skipped), for the empty-class warning. */
  classFolders: Set<string>;
  /** True when both a train and a valid folder exist, so folders decide the split. */
  folderSplit: boolean;
  /** True when a train folder exists: class folders sit below the split folders, and files
   * outside them are skipped. Without a valid folder the validation set comes from train/. */
  splitFolders: boolean;
  /** The folder name found for each split ("train", "val", "dev", "test"), for notes and scripts. */
  splitNames: Partial<Record<Split, string>>;
  root: string;
}

/** Extensions Chrome's image decoders handle. */
export const IMAGE_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'png',
  'webp',
  'bmp',
  'gif',
  'avif',
  'ico',
]);
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db']);

const SPLIT_PATTERNS: [Split, RegExp][] = [
  ['train', /^(train|training)([-_ ]?\d+)?$/i],
  // fastai users' names: dev/eval sets are validation sets (kept out of training, scored each epoch).
  ['valid', /^(valid|val|validation|dev|eval)([-_ ]?\d+)?$/i],
  ['test', /^(test|testing)([-_ ]?\d+)?$/i],
];

/** "train", "val2017", "Validation", "dev" -> split; anything else -> undefined. */
export function splitOfFolder(name: string): Split | undefined {
  return SPLIT_PATTERNS.find(([, re]) => re.test(name))?.[0];
}

export const extensionOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

export const normalizePath = (p: string) => p.replace(/\\/g, '/').replace(/^\/+/, '');

/** The folder every path starts with, if there is exactly one (a dropped or chosen folder). */
export function commonRoot(paths: string[]): string {
  if (paths.length === 0) return '';
  const first = paths[0].split('/');
  if (first.length < 2) return '';
  const root = first[0];
  return paths.every((p) => p.startsWith(root + '/')) ? root : '';
}

/**
 * Sorts a walk into image candidates and skipped files. `ignore` lists paths that are not data
 * (the labels CSV). Hidden folders are ignored as a whole and reported once each.
 */
export function readLayout(files: FileRef[], ignore: Set<string> = new Set()): Layout {
  const norm = files
    .map((f) => ({ ...f, path: normalizePath(f.path) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const root = commonRoot(norm.map((f) => f.path));
  const relOf = (p: string) => (root ? p.slice(root.length + 1) : p);
  const hidden = new Map<string, number>();
  const visible: { path: string; rel: string; dirs: string[]; name: string; size: number }[] = [];
  for (const f of norm) {
    if (ignore.has(f.path)) continue;
    const rel = relOf(f.path);
    const parts = rel.split('/');
    const name = parts.pop()!;
    const hiddenAt = parts.findIndex((d) => d.startsWith('.'));
    if (hiddenAt >= 0) {
      const dir = [root, ...parts.slice(0, hiddenAt + 1)].filter(Boolean).join('/');
      hidden.set(dir, (hidden.get(dir) ?? 0) + 1);
      continue;
    }
    visible.push({ path: f.path, rel, dirs: parts, name, size: f.size });
  }
  const splitNames: Partial<Record<Split, string>> = {};
  for (const v of visible)
    for (const d of v.dirs) {
      const s = splitOfFolder(d);
      if (s) splitNames[s] ??= d;
    }
  const folderSplit = !!(splitNames.train && splitNames.valid);
  const splitFolders = !!splitNames.train;

  const candidates: Candidate[] = [];
  const skipped: Skipped[] = [];
  const classFolders = new Set<string>();
  for (const v of visible) {
    // A top-level test/ folder is a test set even when train/valid come from a random split
    // (its images with no class folder too: an unlabelled test set, kept for prediction).
    const splitAt = splitFolders
      ? v.dirs.findIndex((d) => splitOfFolder(d) !== undefined)
      : splitOfFolder(v.dirs[0] ?? '') === 'test'
        ? 0
        : -1;
    const classFolder = v.dirs[splitAt + 1];
    if (classFolder !== undefined && !classFolder.startsWith('.')) classFolders.add(classFolder);
    const ext = extensionOf(v.name);
    let reason: string | undefined;
    if (v.name.startsWith('.')) reason = 'hidden file';
    else if (SYSTEM_FILES.has(v.name.toLowerCase())) reason = 'system file, not an image';
    else if (!IMAGE_EXTENSIONS.has(ext))
      reason = ext ? `not an image (.${ext} file)` : 'not an image (no extension)';
    else if (splitFolders && splitAt < 0) reason = 'outside the train/valid/test folders';
    if (reason) {
      skipped.push({ path: v.path, reason });
      continue;
    }
    candidates.push({
      path: v.path,
      rel: v.rel,
      name: v.name,
      folderSplit: splitAt >= 0 ? splitOfFolder(v.dirs[splitAt]) : undefined,
      classFolder,
    });
  }
  return {
    candidates,
    skipped,
    hiddenFolders: [...hidden].map(([path, n]) => ({ path, files: n })),
    classFolders,
    folderSplit,
    splitFolders,
    splitNames,
    root,
  };
}

/**
 * Files one import takes. Each kept image costs ~50 KB of resized RGB in the worker (128 px
 * cache), so 200 000 is already ~10 GB; and a drop walk stops here instead of listing 1e6.
 */
export const MAX_IMPORT_FILES = 200_000;

/** The reason an import of `n` files is refused, or undefined. */
export const tooManyFiles = (n: number, where = 'the folder'): string | undefined =>
  n > MAX_IMPORT_FILES
    ? `${where} has more than ${MAX_IMPORT_FILES} files, the most one import takes: choose a sub-folder or a subset`
    : undefined;
