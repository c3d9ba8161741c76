// The Export panel's commands (src/worker/handlers/export.ts): the Learner session's model as
// files, the session archive back in, and the fastai reproduction script's settings.
import type { CleanerEdit } from '../cleaner';
import type { ExportFormat } from '../formats';
import type { LrSlice } from '../schedule';
import type { HistoryData, LearnSetupArgs, LearnSetupResult } from './learn';

export type { ExportFormat } from '../formats';

export interface ExportArgs {
  format: ExportFormat;
  /** Script only: settings the session does not know (e.g. the labelling regex). */
  script?: Partial<ReproSettings>;
  /** Page only: store the weights as f16 halves (half the file). */
  f16?: boolean;
  /** Page only: the session's snapshot ensemble (one weight set per snapshot) instead of the
   * final weights; refused when the session kept no snapshots. */
  ensemble?: boolean;
}
export interface ExportResult {
  files: { name: string; bytes: ArrayBuffer }[];
}

export interface ImportSessionResult {
  setup: LearnSetupResult;
  settings: LearnSetupArgs;
  frozenGroups: number;
  iterations: number;
  epochs: number;
  history: HistoryData;
  warnings: string[];
  /** The cleaner's overlay the archive brought (cleaner.json), empty if none. */
  cleaner: CleanerEdit[];
  /** The epochs of the snapshot ensemble the archive brought, if any. */
  snapshots?: number[];
}

// ************* the fastai reproduction script (src/export/reproScript.ts) *************

export type Labelling =
  | { kind: 'folder' }
  | { kind: 'regex'; pattern: string }
  | {
      kind: 'csv';
      /** The labels CSV below the dropped folder ("labels.csv", "meta/train.csv"). */
      csvPath: string;
      fileColumn: string;
      labelColumn: string;
      /** Between labels in a cell (fastai label_delim). */
      labelDelim: string;
      multiLabel: boolean;
    };

export type Split =
  | { kind: 'folders'; train: string; valid: string }
  /** `under`: only the images below this folder (train/ when there is no validation folder);
   * `notUnder`: a test folder kept out of training and validation. */
  | { kind: 'random'; validPct: number; seed: number; under?: string; notUnder?: string };

export type Fit =
  | { method: 'fine_tune'; epochs: number; baseLr: number; freezeEpochs: number }
  | { method: 'fit_one_cycle'; epochs: number; lrMax: number | LrSlice }
  | { method: 'fit'; epochs: number; lr: number | LrSlice }
  | {
      method: 'fit_sgdr';
      cycles: number;
      cycleLen: number;
      cycleMult: number;
      lrMax: number | LrSlice;
    };

/** One fit of the session as run, with what changed before it. */
export interface FitStep {
  fit: Fit;
  /** Frozen layer groups at its start (0: unfrozen), when the session recorded it. */
  frozenGroups?: number;
  /** Image size, when the fit changed it (progressive resizing). */
  size?: number;
  /** Weight decay set by this fit (kept for later fits, as learn.wd). */
  wd?: number;
  /** MixUp: true is MixUp(0.4), a number its alpha. */
  mixup?: boolean | number;
  saveBest?: boolean;
  /** The head trained on precomputed body features (no augmentation in that phase). */
  precompute?: boolean;
  /** Epochs run when it was stopped early. */
  epochsDone?: number;
}

export type OptSettings =
  | { kind: 'Adam'; mom: number; sqrMom: number; eps: number; wd: number }
  | { kind: 'SGD'; mom: number; wd: number };

export interface ReproSettings {
  arch: string;
  pretrained: boolean;
  /** Layer groups of the model (fastai's resnet split: 3), for freeze_to. */
  groups: number;
  size: number;
  batchSize: number;
  resize: 'squish' | 'crop' | 'pad' | 'random_resized_crop';
  /** RandomResizedCrop's min_scale (fastai: 0.08). */
  minScale?: number;
  aug: 'side-on' | 'top-down' | 'none';
  /** aug_transforms' settings (fastai names), when aug is not 'none'. */
  augSettings?: Record<string, number | boolean>;
  labelling: Labelling;
  split: Split;
  /** Image files the studio left out (undecodable, unlabelled), relative to the folder. */
  exclude: string[];
  fits: FitStep[];
  opt: OptSettings;
  /** fit_one_cycle's momentum schedule. */
  moms: [number, number, number];
  labelSmoothing: boolean;
  classes: string[];
  /** Expected split sizes, checked by the script. */
  images: { train: number; valid: number };
}
