// The Data panel's state: the chosen folder (File handles stay on the main thread until an
// import sends them to the worker), label/split options, the import summary and samples.
import type { StateCreator } from 'zustand';
import { CLEANER_RESET } from './cleanerSlice';
import type { AugPreset } from '../../shared/protocol';
import { IMPORT_DEFAULTS, type ImportOptions, type ImportSummary } from '../../shared/dataset';
import type { RgbSample } from '../../shared/protocol';
import type { ItemTfm, ResizeMethod } from '../../shared/protocol';
import type { WorkerEvent } from '../../shared/protocol';
import { tooManyFiles } from '../../shared/items';
import {
  captureName,
  capturePaths,
  contentStamp,
  MAX_CAPTURES,
  type Capture,
} from '../../shared/captures';
import type { PickedFile } from '../walk';
import { worker } from './client';
import type { Studio } from './studio';

export type DataOptions = Omit<ImportOptions, 'csvs'>;

export interface BatchOptions {
  size: number;
  /** Resize methods, or fastai's RandomResizedCrop. */
  method: ResizeMethod | 'randomResizedCrop';
  aug: AugPreset;
}

export interface DataSlice {
  dataFiles: PickedFile[];
  dataEmptyDirs: string[];
  dataCsvFiles: PickedFile[];
  /** Webcam frames grabbed into classes: imported with the dropped files (src/shared/captures.ts). */
  dataCaptures: Capture[];
  dataOptions: DataOptions;
  dataStatus: 'idle' | 'importing' | 'ready' | 'error';
  dataProgress: { done: number; of: number };
  dataSummary?: ImportSummary;
  dataError?: string;
  dataSamples: RgbSample[];
  batchOptions: BatchOptions;
  dataBatch: RgbSample[];
  dataBatchError?: string;
  setDataFiles(files: PickedFile[], emptyDirs?: string[]): void;
  setCsvFiles(files: PickedFile[]): void;
  /** Adds grabbed frames to a class; false when the cap is reached. Import with runImport. */
  addCaptures(cls: string, frames: Blob[]): boolean;
  /** Drops captures and re-imports. */
  deleteCaptures(ids: number[]): Promise<void>;
  /** Puts a session archive's captures back (then re-imports); returns how many it holds. */
  restoreCaptures(bytes: ArrayBuffer | Uint8Array, name?: string): Promise<number>;
  setDataOptions(o: Partial<DataOptions>): void;
  setBatchOptions(o: Partial<BatchOptions>): void;
  /** Decode (cached), label, split and summarise the chosen files in the worker. */
  runImport(): Promise<ImportSummary | undefined>;
  loadShowBatch(n?: number): Promise<RgbSample[]>;
  /** One imported file as the worker caches it (decoded, upright, resized); null if unknown. */
  loadImage(path: string): Promise<RgbSample | null>;
  applyDataEvents(events: WorkerEvent[]): void;
}

export const BATCH_DEFAULTS: BatchOptions = { size: 64, method: 'crop', aug: 'side-on' };

export const itemTfmOf = (b: BatchOptions): ItemTfm =>
  b.method === 'randomResizedCrop'
    ? { kind: 'randomResizedCrop', size: b.size }
    : { kind: 'resize', size: b.size, method: b.method };

/** Files per message: cloning a File handle costs 1-4 ms here, so a chunk stays a short task. */
const STAGE_CHUNK = 10;
/** The file list the worker has staged (same array object: nothing to resend). */
let stagedFiles: PickedFile[] | undefined;
let nextCaptureId = 1;

/** Imports run one after another: a second request waits for the first (decoding is cached). */
let chain: Promise<unknown> = Promise.resolve();

export const createDataSlice: StateCreator<Studio, [], [], DataSlice> = (set, get) => ({
  dataFiles: [],
  dataEmptyDirs: [],
  dataCsvFiles: [],
  dataCaptures: [],
  dataOptions: { ...IMPORT_DEFAULTS },
  dataStatus: 'idle',
  dataProgress: { done: 0, of: 0 },
  dataSamples: [],
  batchOptions: BATCH_DEFAULTS,
  dataBatch: [],
  setDataFiles(files, emptyDirs = []) {
    set({
      dataFiles: files,
      dataEmptyDirs: emptyDirs,
      dataSummary: undefined,
      dataSamples: [],
      dataBatch: [],
    });
  },
  setCsvFiles(files) {
    set((s) => ({
      dataCsvFiles: files,
      dataOptions: { ...s.dataOptions, labelMode: files.length ? 'csv' : s.dataOptions.labelMode },
    }));
  },
  addCaptures(cls, frames) {
    const have = get().dataCaptures;
    const room = Math.max(0, MAX_CAPTURES - have.length);
    const added = frames.slice(0, room).map((blob) => {
      const id = nextCaptureId++;
      return { id, cls, file: new File([blob], captureName(id), { type: 'image/jpeg' }) };
    });
    if (added.length) set({ dataCaptures: [...have, ...added] });
    return added.length === frames.length;
  },
  async deleteCaptures(ids) {
    const drop = new Set(ids);
    set((s) => ({ dataCaptures: s.dataCaptures.filter((c) => !drop.has(c.id)) }));
    await get().runImport();
  },
  async restoreCaptures(bytes, name) {
    if (!(await get().connect())) return 0;
    const archived = await worker().call('sessionCaptures', { bytes, name });
    if (archived.length === 0) return 0;
    const captures = archived.map(({ cls, id, bytes: b }) => {
      const file = new File([b as BlobPart], captureName(id), {
        type: 'image/jpeg',
        lastModified: contentStamp(b),
      });
      return { id, cls, file };
    });
    const same = (a: Capture, b: Capture) =>
      a.id === b.id && a.cls === b.cls && a.file.lastModified === b.file.lastModified;
    const have = get().dataCaptures;
    // Already restored (the autosave restore reads them before its own check): no re-import.
    if (have.length === captures.length && captures.every((c, i) => same(c, have[i])))
      return captures.length;
    nextCaptureId = Math.max(nextCaptureId, ...captures.map((c) => c.id + 1));
    set({ dataCaptures: captures });
    await get().runImport();
    return captures.length;
  },
  setDataOptions(o) {
    set((s) => ({ dataOptions: { ...s.dataOptions, ...o } }));
  },
  setBatchOptions(o) {
    set((s) => ({ batchOptions: { ...s.batchOptions, ...o } }));
  },
  runImport() {
    const run = async (): Promise<ImportSummary | undefined> => {
      const { dataFiles, dataCaptures, dataCsvFiles, dataEmptyDirs, dataOptions } = get();
      if (dataFiles.length + dataCaptures.length === 0) return undefined;
      // Refused before thousands of File handles are cloned to the worker.
      const tooMany = tooManyFiles(dataFiles.length + dataCaptures.length + dataEmptyDirs.length);
      if (tooMany) {
        set({ dataStatus: 'error', dataError: tooMany });
        return undefined;
      }
      // CSV mode without a chosen CSV: use the CSV files inside the folder.
      const csvs =
        dataOptions.labelMode === 'csv' && dataCsvFiles.length === 0
          ? dataFiles.filter((f) => /\.csv$/i.test(f.path))
          : dataCsvFiles;
      set({
        dataStatus: 'importing',
        dataError: undefined,
        dataProgress: { done: 0, of: dataFiles.length + dataCaptures.length },
      });
      try {
        if (stagedFiles !== dataFiles) {
          await worker().call('stageFiles', { files: [], reset: true });
          for (let i = 0; i < dataFiles.length; i += STAGE_CHUNK)
            await worker().call('stageFiles', {
              files: dataFiles.slice(i, i + STAGE_CHUNK),
              reset: false,
            });
          stagedFiles = dataFiles;
        }
        // Captures go with each import: a few new frames do not re-send the dropped folder.
        const refs = () => dataFiles.map((f) => ({ path: f.path, size: f.file.size }));
        const summary = await worker().call('importFiles', {
          captures: dataCaptures.length ? capturePaths(refs(), dataCaptures) : [],
          csvs: dataOptions.labelMode === 'csv' ? csvs : [],
          emptyDirs: dataEmptyDirs,
          options: dataOptions,
        });
        const samples = await worker().call('dataSamples', { perClass: 6 });
        set({
          dataStatus: 'ready',
          dataSummary: summary,
          dataSamples: samples,
          dataBatch: [],
          ...CLEANER_RESET, // the worker drops the overlay with the old import
        });
        // A usable folder: the Train panel proposes fastai's lesson 1 for it.
        if (!summary.errors.length && summary.images.train > 0) await get().proposeRecipe();
        return summary;
      } catch (err) {
        set({ dataStatus: 'error', dataError: (err as Error).message });
        return undefined;
      }
    };
    const p = chain.then(run, run);
    chain = p;
    return p;
  },
  async loadShowBatch(n = 12) {
    if (!(await get().connect())) return [];
    const b = get().batchOptions;
    try {
      const batch = await worker().call('showBatch', {
        n,
        itemTfm: itemTfmOf(b),
        aug: b.aug,
        seed: get().dataOptions.seed,
      });
      set({ dataBatch: batch, dataBatchError: undefined });
      return batch;
    } catch (err) {
      set({ dataBatchError: (err as Error).message });
      return [];
    }
  },
  async loadImage(path) {
    if (!(await get().connect())) return null;
    return worker().call('dataImage', { path });
  },
  applyDataEvents(events) {
    const last = events.findLast((e) => e.type === 'importProgress');
    if (last) set({ dataProgress: { done: last.done, of: last.of } });
  },
});
