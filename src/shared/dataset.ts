// The import, as fastai's DataBlock sees it: get_items (the walk) -> get_y (a labeller) ->
// splitter, plus what fastai leaves to the user: skipping broken files with a reason and
// warning about what will hurt training. Pure: decoding results come in from the worker.
import {
  csvLabeller,
  folderLabeller,
  parseLabelCsv,
  regexLabeller,
  type Labeller,
} from './labelers';
import {
  normalizePath,
  readLayout,
  splitOfFolder,
  type Candidate,
  type FileRef,
  type Layout,
  type Skipped,
  type Split,
} from './items';
import { assignSplits, pushTo } from './split';

export type LabelMode = 'folder' | 'regex' | 'csv';

export interface ImportOptions {
  labelMode: LabelMode;
  /** fastai from_name_re pattern, applied to the file name; group 1 is the label. */
  labelRe?: string;
  /** Labels CSV files (`filename,labels`); their paths are left out of the data. */
  csvs?: { path: string; text: string }[];
  /** Separator between labels in the CSV's label cell (fastai label_delim). */
  labelSep?: string;
  validPct: number;
  seed: number;
  stratify?: boolean;
}

export const IMPORT_DEFAULTS: ImportOptions = {
  labelMode: 'folder',
  validPct: 0.2,
  seed: 42,
  labelSep: ';',
};

export interface LabelledCandidate extends Candidate {
  labels: string[];
}

export interface ImportPlan {
  layout: Layout;
  items: LabelledCandidate[];
  skipped: Skipped[];
  warnings: string[];
}

function makeLabeller(opts: ImportOptions): { labeller: Labeller; warnings: () => string[] } {
  if (opts.labelMode === 'regex')
    return { labeller: regexLabeller(opts.labelRe ?? ''), warnings: () => [] };
  if (opts.labelMode === 'csv') {
    if (!opts.csvs?.length)
      throw new Error('label mode "csv" needs a labels CSV (filename,labels)');
    const tables = opts.csvs.map((c) => parseLabelCsv(c.text, opts.labelSep ?? ';'));
    const l = csvLabeller(tables);
    return {
      labeller: l,
      warnings: () => {
        const missing = l.unmatched();
        const ignored = [...new Set(tables.flatMap((t) => t.ignoredColumns ?? []))];
        return [
          ...(missing.length
            ? [
                `${missing.length} CSV rows name files that are not in the folder: ${preview(missing)}`,
              ]
            : []),
          ...(ignored.length
            ? [
                `labels CSV: column${ignored.length === 1 ? '' : 's'} ${preview(ignored)} ignored (the first column is read as the file name, the second as the labels)`,
              ]
            : []),
        ];
      },
    };
  }
  return { labeller: folderLabeller, warnings: () => [] };
}

const skippedFor = (skipped: Skipped[], reason: RegExp) =>
  skipped.filter((x) => reason.test(x.reason)).map((x) => x.path);

export const preview = (xs: string[], n = 3) =>
  xs.slice(0, n).join(', ') + (xs.length > n ? `, ... (${xs.length} in all)` : '');

/** Walk -> labelled candidates (to be decoded) + files skipped before decoding. */
export function planImport(
  files: FileRef[],
  opts: ImportOptions,
  ignore = new Set<string>(),
): ImportPlan {
  for (const c of opts.csvs ?? []) ignore.add(c.path);
  const layout = readLayout(files, ignore);
  const { labeller, warnings } = makeLabeller(opts);
  const items: LabelledCandidate[] = [];
  const skipped = [...layout.skipped];
  for (const c of layout.candidates) {
    const r = labeller(c);
    // A test set needs no labels (fastai's test_dl): unlabelled test images are kept for prediction.
    if ('error' in r && c.folderSplit === 'test') items.push({ ...c, labels: [] });
    else if ('error' in r) skipped.push({ path: c.path, reason: r.error });
    else items.push({ ...c, labels: r.labels });
  }
  const w = warnings();
  for (const h of layout.hiddenFolders)
    w.push(`ignored hidden folder ${h.path}/ (${h.files} file${h.files === 1 ? '' : 's'})`);
  return { layout, items, skipped, warnings: w };
}

/** What decoding one image produced (the worker fills this in). */
export type DecodeOutcome = { width: number; height: number; hash: string } | { error: string };

export interface DatasetItem {
  path: string;
  labels: string[];
  split: Split;
  width: number;
  height: number;
}

export interface ImportSummary {
  classes: string[];
  multiLabel: boolean;
  counts: {
    train: Record<string, number>;
    valid: Record<string, number>;
    test?: Record<string, number>;
  };
  /** Images per split (a multi-label image counts once). */
  images: { train: number; valid: number; test: number };
  skipped: Skipped[];
  warnings: string[];
  /** Problems that make the data untrainable (one class only, no images). */
  errors: string[];
  split: 'folders' | 'random';
  /** The split folders found ("train", "val", "test"...): the random split draws from train/. */
  splitFolders?: Partial<Record<Split, string>>;
  labelMode: LabelMode;
}

/** An image smaller than this on its short side carries almost no signal at any training size. */
export const TINY_SIDE = 32;
/** Largest class over smallest class above which we warn. */
export const IMBALANCE_RATIO = 3;

/**
 * Decoded plan -> dataset items and the import summary. `emptyDirs` are class folders the walk
 * saw with nothing inside (a directory drop can see them; a file input cannot).
 */
export function finishImport(
  plan: ImportPlan,
  decoded: Map<string, DecodeOutcome>,
  opts: ImportOptions,
  emptyDirs: string[] = [],
): { items: DatasetItem[]; summary: ImportSummary } {
  const skipped = [...plan.skipped];
  const kept: (LabelledCandidate & { width: number; height: number; hash: string })[] = [];
  for (const it of plan.items) {
    const d = decoded.get(it.path);
    if (!d) skipped.push({ path: it.path, reason: 'not decoded' });
    else if ('error' in d) skipped.push({ path: it.path, reason: d.error });
    else kept.push({ ...it, ...d });
  }
  const splits = assignSplits(kept, plan.layout.folderSplit, opts);
  const items: DatasetItem[] = kept.map((k, i) => ({
    path: k.path,
    labels: k.labels,
    split: splits[i],
    width: k.width,
    height: k.height,
  }));

  const classes = [...new Set(items.flatMap((i) => i.labels))].sort(naturalCompare);
  const labelled = items.filter((i) => i.split !== 'test');
  const multiLabel = opts.labelMode === 'csv' && labelled.some((i) => i.labels.length !== 1);
  const zero = () => Object.fromEntries(classes.map((c) => [c, 0])) as Record<string, number>;
  const counts: ImportSummary['counts'] = { train: zero(), valid: zero() };
  const images = { train: 0, valid: 0, test: 0 };
  for (const it of items) {
    images[it.split]++;
    const bucket = (counts[it.split] ??= zero());
    for (const l of it.labels) bucket[l]++;
  }

  const warnings = [...plan.warnings];
  const errors: string[] = [];
  const noClassFolder = skipped.filter((x) => x.reason === 'not inside a class folder').length;
  if (items.length === 0 && noClassFolder > 0)
    errors.push(
      `no usable images found: ${noClassFolder} images sit outside class folders; label them by file name (regex) or with a CSV`,
    );
  else if (items.length === 0 && skippedFor(skipped, /^name does not match/).length > 0) {
    const names = skippedFor(skipped, /^name does not match/);
    errors.push(
      `no usable images found: the label regex ${opts.labelRe ?? ''} matched none of the ${names.length} image names (e.g. ${preview(names.map((p) => p.slice(p.lastIndexOf('/') + 1)))})`,
    );
  } else if (items.length === 0 && skippedFor(skipped, /^not listed in the labels CSV/).length > 0)
    errors.push(
      `no usable images found: none of the ${skippedFor(skipped, /^not listed in the labels CSV/).length} images is listed in the labels CSV (is its first column the file name?)`,
    );
  else if (items.length === 0) errors.push('no usable images found');
  else if (classes.length === 1)
    errors.push(`only one class (${classes[0]}): a classifier needs at least two`);
  const unlabelled = labelled.filter((i) => i.labels.length === 0).length;
  if (unlabelled && multiLabel)
    warnings.push(
      `${unlabelled} image${unlabelled === 1 ? ' has' : 's have'} no labels (all-negative targets)`,
    );
  warnings.push(...splitNotes(plan.layout, opts, images.test));
  if (images.valid === 0 && items.length > 0)
    warnings.push('the validation set is empty: metrics cannot be computed');

  const total = Object.fromEntries(
    classes.map((c) => [c, counts.train[c] + counts.valid[c] + (counts.test?.[c] ?? 0)]),
  );
  if (classes.length > 1) {
    const sorted = [...classes].sort((a, b) => total[a] - total[b]);
    const [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
    if (total[hi] >= IMBALANCE_RATIO * Math.max(1, total[lo]))
      warnings.push(`class imbalance: ${hi} has ${total[hi]} images, ${lo} only ${total[lo]}`);
  }

  const emptyClasses = new Set<string>();
  if (opts.labelMode === 'folder') {
    for (const c of plan.layout.classFolders) if (!(c in total)) emptyClasses.add(c);
    for (const d of emptyDirs) {
      const c = classFolderOf(d, plan.layout.root, plan.layout.splitFolders);
      if (c && !(c in total)) emptyClasses.add(c);
    }
  }
  for (const c of [...emptyClasses].sort())
    warnings.push(`empty class folder ${c}/: no usable images, so it is not a class`);

  const tiny = items.filter((i) => Math.min(i.width, i.height) < TINY_SIDE);
  if (tiny.length)
    warnings.push(
      `${tiny.length} tiny image${tiny.length === 1 ? '' : 's'} (under ${TINY_SIDE} px): ${preview(tiny.map((t) => `${t.path} (${t.width}x${t.height})`))}`,
    );

  const byHash = new Map<string, string[]>();
  for (const k of kept) pushTo(byHash, k.hash, k.path);
  const dups = [...byHash.values()].filter((g) => g.length > 1);
  if (dups.length) {
    const extra = dups.reduce((s, g) => s + g.length - 1, 0);
    warnings.push(
      `${extra} duplicate image${extra === 1 ? '' : 's'} (same content): ${preview(dups.map((g) => g.join(' = ')))}`,
    );
  }

  return {
    items,
    summary: {
      classes,
      multiLabel,
      counts,
      images,
      skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
      warnings,
      errors,
      split: plan.layout.folderSplit ? 'folders' : 'random',
      splitFolders: plan.layout.splitNames,
      labelMode: opts.labelMode,
    },
  };
}

/** What the split folders decided, said once in the summary (a train/ + test/ folder without a
 * validation folder used to train on everything, test included, labelled "train"). */
function splitNotes(layout: Layout, opts: ImportOptions, nTest: number): string[] {
  const { train, valid, test } = layout.splitNames;
  const notes: string[] = [];
  if (train && !valid)
    notes.push(
      `no validation folder: ${Math.round(opts.validPct * 100)}% of ${train}/ held out at random (seed ${opts.seed})`,
    );
  if (valid && train && !/^val/i.test(valid)) notes.push(`${valid}/ used as the validation set`);
  if (test && nTest)
    notes.push(
      `${test}/ kept for prediction (${nTest} image${nTest === 1 ? '' : 's'}), out of training and validation`,
    );
  return notes.length ? [notes.join('; ')] : [];
}

/** The class folder a directory belongs to: first folder below the root (and below train/valid). */
function classFolderOf(dir: string, root: string, splitFolders: boolean): string | undefined {
  let parts = normalizePath(dir).split('/').filter(Boolean);
  if (root && parts[0] === root) parts = parts.slice(1);
  if (splitFolders) parts = parts.slice(parts.findIndex((p) => splitOfFolder(p) !== undefined) + 1);
  return parts[0] && !parts.some((p) => p.startsWith('.')) ? parts[0] : undefined;
}

/** "2" before "10": class folders named by numbers sort the way people expect. */
export const naturalCompare = (a: string, b: string) =>
  a.localeCompare(b, undefined, { numeric: true });
