// The Interpret panel's commands (src/worker/handlers/interpret.ts): fastai's
// ClassificationInterpretation, Grad-CAM and predictions of the Learner session's model.
import type { Confusion, Report } from '../interpretation';
import type { CleanerEdit } from '../cleaner';
import type { RgbSample } from './data';
export type { CleanerEdit } from '../cleaner';

export interface TopLossItem {
  index: number;
  path: string;
  actual: string[];
  predicted: string[];
  loss: number;
  /** Probability of the (first) predicted class, as fastai's plot_top_losses shows. */
  prob: number;
  /** Probability the model gave the actual class (single-label). */
  probActual?: number;
}

export interface InterpretResult {
  vocab: string[];
  multiLabel: boolean;
  /** Validation items, in the validation loader's order. */
  n: number;
  /** Item paths (imported data), or `demo/valid/<i>` for the procedural demo set. */
  paths: string[];
  /** Whether `paths` are files of the import (thumbnails through `dataImage`). */
  imported: boolean;
  /** Single-label: class ids; multi-label: empty. */
  actual: number[];
  predicted: number[];
  /** Activated outputs (softmax / sigmoid), row-major [n, c]. */
  probs: number[];
  /** Multi-label: multi-hot targets [n, c]; single-label: empty. */
  targets: number[];
  /** Per-item loss (the session's loss function, reduction none). */
  losses: number[];
  /** matrix[actual][predicted] counts (single-label; empty for multi-label). */
  matrix: number[][];
  /** cells[a][p]: item indices of that cell. */
  cells: number[][][];
  topLosses: TopLossItem[];
  mostConfused: Confusion[];
  /** Single-label: classification report; multi-label: at `thresh`. */
  report: Report;
  thresh: number;
}

export interface GradCamArgs {
  /** A validation item by index (as in the `interpret` result)... */
  index?: number;
  /** ...or any imported file by path... */
  path?: string;
  /** ...or a new image's bytes (Predict). */
  bytes?: ArrayBuffer | Uint8Array;
  /** The class to explain; default the predicted class. */
  classIndex?: number;
}

export interface GradCamResult {
  path: string;
  classIndex: number;
  label: string;
  prob: number;
  probs: number[];
  /** Heat in [0, 1], [height, width] row-major, aligned with `image`. */
  heatmap: Float32Array;
  width: number;
  height: number;
  rawWidth: number;
  rawHeight: number;
  /** The image as the model saw it (session size). */
  image: RgbSample;
}

export interface PredictLearnerArgs {
  images: { path: string; bytes: ArrayBuffer | Uint8Array }[];
  tta?: boolean;
  /** The mean of the snapshot ensemble's outputs (src/learn/ensemble.ts), not the final weights. */
  ensemble?: boolean;
  /** Classes listed per image (default 3). */
  top?: number;
}

export interface LearnerPrediction {
  path: string;
  error?: string;
  /** Single-label: the argmax; multi-label: every class with prob >= 0.5. */
  predicted: string[];
  /** Probability of the first predicted class (or the top class). */
  prob: number;
  top: { label: string; prob: number }[];
  probs: number[];
}

/** One image of the cleaner's list (fastai ImageClassifierCleaner): its labels (after the
 * overlay), the prediction and the loss of an eval-mode pass without augmentation. */
export interface CleanerItem {
  path: string;
  labels: string[];
  predicted: string[];
  /** Probability of the (first) predicted class. */
  prob: number;
  loss: number;
}

export interface CleanerLossesResult {
  split: 'train' | 'valid';
  vocab: string[];
  multiLabel: boolean;
  /** Highest loss first. */
  items: CleanerItem[];
  /** The overlay in force. */
  edits: CleanerEdit[];
}
