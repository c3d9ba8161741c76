// The session as run, in the reproduction script's terms (src/export/reproScript.ts): the
// labelling and split the import used, every fit of the session history in order with the
// freeze state and image size it started from, the optimizer and the item/batch transforms.
import type { Dataset } from '../data/importer';
import { AUG_DEFAULTS } from '../data/augment';
import { historyOf } from '../learn/history';
import { ADAM_DEFAULTS } from '../learn/optimizer';
import type { LearnSession } from '../learn/session';
import { commonRoot, extensionOf, IMAGE_EXTENSIONS } from '../shared/items';
import { parseLabelCsv } from '../shared/labelers';
import { FINE_TUNE, ONE_CYCLE, type LrSlice } from '../shared/schedule';
import type { Fit, FitArgs, FitRecord, FitStep, ReproSettings } from '../shared/protocol';
import { fitEpochs } from './reproScript';
import { multiLabelOf } from './sessionIO';

export const FASTAI_ARCHS = new Set(['resnet18', 'resnet34', 'resnet50', 'resnet50-imagenet']);
/** The most left-out files the script lists by name (a longer list would drown the script). */
const MAX_EXCLUDE = 2000;

/** A fit command's arguments -> the fastai call, defaults resolved as the studio resolved them. */
function fitOf(a: FitArgs): Fit {
  const lr: number | LrSlice = a.lr ?? 1e-3; // Learner.lr: fastai's defaults.lr
  switch (a.policy ?? 'one_cycle') {
    case 'fine_tune':
      return {
        method: 'fine_tune',
        epochs: a.epochs,
        baseLr: typeof a.lr === 'number' ? a.lr : FINE_TUNE.baseLr,
        freezeEpochs: FINE_TUNE.freezeEpochs,
      };
    case 'sgdr':
      return {
        method: 'fit_sgdr',
        cycles: a.epochs,
        cycleLen: a.cycleLen ?? 1,
        cycleMult: a.cycleMult ?? 2,
        lrMax: lr,
      };
    case 'fit':
      return { method: 'fit', epochs: a.epochs, lr };
    default:
      return { method: 'fit_one_cycle', epochs: a.epochs, lrMax: lr };
  }
}

/** The session history's fits, in order, as the script replays them. */
export function fitSteps(fits: FitRecord[]): FitStep[] {
  return fits.map((r) => {
    const a = r.args as unknown as FitArgs;
    const fit = fitOf(a);
    return {
      fit,
      frozenGroups: r.frozenGroups,
      size: r.size,
      wd: a.wd,
      mixup: a.mixup || undefined,
      saveBest: a.saveBest || undefined,
      precompute: a.precompute || undefined,
      epochsDone: r.epochsDone < fitEpochs(fit) ? r.epochsDone : undefined,
    };
  });
}

/** How the import labelled and split the data, read from its options and summary. */
function dataSettings(ds: Dataset): Pick<ReproSettings, 'labelling' | 'split' | 'exclude'> {
  const { summary, options } = ds;
  const root = commonRoot(ds.items.map((i) => i.path));
  const rel = (p: string) => (root && p.startsWith(root + '/') ? p.slice(root.length + 1) : p);
  let labelling: ReproSettings['labelling'] = { kind: 'folder' };
  if (summary.labelMode === 'regex') labelling = { kind: 'regex', pattern: options?.labelRe ?? '' };
  if (summary.labelMode === 'csv') {
    const csv = options?.csvs?.[0];
    const table = csv ? parseLabelCsv(csv.text, options?.labelSep ?? ';') : undefined;
    labelling = {
      kind: 'csv',
      // A CSV chosen from outside the folder is expected beside the images.
      csvPath: csv
        ? csv.path.startsWith(root + '/')
          ? rel(csv.path)
          : csv.path.split('/').pop()!
        : 'labels.csv',
      fileColumn: table?.fileColumn ?? 'filename',
      labelColumn: table?.labelColumn ?? 'labels',
      labelDelim: options?.labelSep ?? ';',
      multiLabel: summary.multiLabel,
    };
  }
  const names = summary.splitFolders ?? {};
  const split: ReproSettings['split'] =
    summary.split === 'folders'
      ? { kind: 'folders', train: names.train ?? 'train', valid: names.valid ?? 'valid' }
      : {
          kind: 'random',
          validPct: options?.validPct ?? 0.2,
          seed: options?.seed ?? 42,
          ...(names.train ? { under: names.train } : names.test ? { notUnder: names.test } : {}),
        };
  const exclude = summary.skipped
    .map((s) => s.path)
    .filter((p) => IMAGE_EXTENSIONS.has(extensionOf(p)))
    .map(rel);
  return { labelling, split, exclude: exclude.length <= MAX_EXCLUDE ? exclude : [] };
}

/** The fastai recipe of this session (src/export/reproScript.ts). */
export function sessionReproSettings(
  { learn, setup }: LearnSession,
  ds: Dataset | undefined,
  overrides: Partial<ReproSettings> = {},
): ReproSettings {
  const data = setup.data === 'imported' ? ds : undefined;
  const fits = historyOf(learn).fits;
  const {
    doFlip,
    flipVert,
    maxRotate,
    minZoom,
    maxZoom,
    maxLighting,
    maxWarp,
    pAffine,
    pLighting,
  } = { ...AUG_DEFAULTS, flipVert: setup.aug === 'top-down' };
  return {
    arch: FASTAI_ARCHS.has(setup.arch) ? setup.arch : 'resnet18',
    pretrained: setup.pretrained || setup.body === 'current',
    groups: learn.model.groups.length,
    // fitPolicy moves setup.size on with progressive resizing: the first fit's is the start.
    size: fits[0]?.size ?? setup.size,
    batchSize: setup.bs,
    resize: setup.resize,
    minScale: setup.resize === 'random_resized_crop' ? setup.minScale : undefined,
    aug: setup.aug,
    augSettings: {
      do_flip: doFlip,
      flip_vert: flipVert,
      max_rotate: maxRotate,
      min_zoom: minZoom,
      max_zoom: maxZoom,
      max_lighting: maxLighting,
      max_warp: maxWarp,
      p_affine: pAffine,
      p_lighting: pLighting,
    },
    ...(data
      ? dataSettings(data)
      : {
          labelling: { kind: 'folder' as const },
          split: { kind: 'random' as const, validPct: 0.2, seed: 42 },
          exclude: [],
        }),
    fits: fitSteps(fits),
    // The setup's opt_func (learn/session.ts optFuncOf): fastai's default Adam, or SGD.
    opt:
      setup.opt === 'sgd'
        ? { kind: 'SGD', mom: setup.mom, wd: learn.wd ?? ADAM_DEFAULTS.wd }
        : { kind: 'Adam', ...ADAM_DEFAULTS },
    moms: ONE_CYCLE.moms,
    labelSmoothing: setup.labelSmoothing && !multiLabelOf(learn),
    classes: [...(learn.data.vocab ?? [])],
    images: data
      ? { train: data.summary.images.train, valid: data.summary.images.valid }
      : { train: 0, valid: 0 },
    ...overrides,
  };
}
