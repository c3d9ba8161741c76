// Data import and the data pipeline's settings (src/data/ implements them).
import type { ImportOptions } from '../dataset';
export type { ImportOptions, ImportSummary } from '../dataset';

export type AugPreset = 'side-on' | 'top-down' | 'none';
export type ResizeMethod = 'squish' | 'crop' | 'pad';
export type ItemTfm =
  | { kind: 'resize'; size: number; method: ResizeMethod }
  | {
      kind: 'randomResizedCrop';
      size: number;
      minScale?: number;
      ratio?: [number, number];
      valXtra?: number;
    };

export interface ImportFile {
  path: string;
  file: File;
}

export interface ImportFilesArgs {
  /** The files to import; omitted: the files staged with stageFiles. */
  files?: ImportFile[];
  /** Webcam captures (src/shared/captures.ts), imported after `files` and sent with each import
   * (they change between imports); the session archive keeps their bytes. */
  captures?: ImportFile[];
  /** Labels CSVs chosen next to the folder (CSV label mode). */
  csvs?: ImportFile[];
  /** Class folders the directory walk found empty (a file input cannot see them). */
  emptyDirs?: string[];
  options?: Partial<Omit<ImportOptions, 'csvs'>>;
  /** Longest side of the cached, resized images. */
  cacheSize?: number;
}

/** Sample pixels for thumbnails and show_batch: small RGB images the page draws on a canvas. */
export interface RgbSample {
  path: string;
  labels: string[];
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface ShowBatchArgs {
  n: number;
  itemTfm: ItemTfm;
  aug: AugPreset;
  seed: number;
  split?: 'train' | 'valid';
}
