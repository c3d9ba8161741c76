// The Export panel's commands (src/worker/handlers/export.ts): the Learner session's model as
// files, the session archive back in, and the fastai reproduction script's settings.
import type { ExportFormat } from '../formats';
import type { LrSlice } from '../schedule';
import type { HistoryData, LearnSetupArgs, LearnSetupResult } from './learn';

export type { ExportFormat } from '../formats';

export interface ExportArgs {
  format: ExportFormat;
  /** Script only: settings the session does not know (e.g. the labelling regex). */
  script?: Partial<ReproSettings>;
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
}

// ************* the fastai reproduction script (src/export/reproScript.ts) *************

export type Labelling =
  | { kind: 'folder' }
  | { kind: 'regex'; pattern: string }
  | { kind: 'csv'; csvName: string; labelDelim: string; multiLabel: boolean };

export type Split =
  | { kind: 'folders'; train: string; valid: string }
  | { kind: 'random'; validPct: number; seed: number };

export type Fit =
  | { method: 'fine_tune'; epochs: number; baseLr: number; freezeEpochs: number }
  | { method: 'fit_one_cycle'; epochs: number; lrMax: number | LrSlice }
  | {
      method: 'fit_sgdr';
      cycles: number;
      cycleLen: number;
      cycleMult: number;
      lrMax: number | LrSlice;
    };

export interface ReproSettings {
  arch: string;
  pretrained: boolean;
  size: number;
  batchSize: number;
  resize: 'squish' | 'crop' | 'pad' | 'random_resized_crop';
  /** RandomResizedCrop's min_scale (fastai: 0.08). */
  minScale?: number;
  aug: 'side-on' | 'top-down' | 'none';
  labelling: Labelling;
  split: Split;
  fit: Fit;
  wd: number;
  labelSmoothing: boolean;
  mixup: boolean;
  classes: string[];
}
