// The Train panel's state: the learner's options and the fit's (one set for the panel and the
// CLI), the Learner session in the worker, its per-batch records (loss curve, LR and momentum)
// and per-epoch table, lr_find's curve and suggestion; session import and export.
import type { StateCreator } from 'zustand';
import { CLEANER_RESET } from './cleanerSlice';
import type { EpochRow } from '../../shared/protocol';
import type { BatchRecord } from '../../shared/protocol';
import type {
  FitArgs,
  FitPolicy,
  FitResult,
  LearnSetupArgs,
  LearnSetupResult,
  LrFindArgs,
  LrFindCmdResult,
  StepTiming,
} from '../../shared/protocol';
import type { ArgsOf, ResizeMethod, ResultOf, WorkerEvent } from '../../shared/protocol';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/formats';
import type { LrSlice, SuggestionName } from '../../shared/schedule';
import { flushWorkerEvents, worker } from './client';
import { setupArgsOf } from './modelSlice';
import type { Studio } from './studio';

/** Settings of the learner the Train panel creates (everything but the model choice). */
export interface TrainOptions {
  data: 'demo' | 'imported';
  aug: NonNullable<LearnSetupArgs['aug']>;
  bs: number;
  size: number;
  /** fastai's Resize(size, method) of imported images. */
  resize: ResizeMethod;
  labelSmoothing: boolean;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  data: 'imported',
  aug: 'side-on',
  bs: 16,
  size: 32,
  resize: 'squish',
  labelSmoothing: false,
};

/** The next fit's arguments: the Train panel edits them, the CLI's `fit` sets them. */
export type FitOptions = FitArgs & {
  policy: FitPolicy;
  lr: number | LrSlice;
  wd: number;
  opt: NonNullable<FitArgs['opt']>;
  mom: number;
  moms: [number, number, number];
};

export const FIT_DEFAULTS: FitOptions = {
  policy: 'one_cycle',
  epochs: 2,
  lr: 1e-2,
  wd: 0.01,
  opt: 'adam',
  mom: 0.9,
  moms: [0.95, 0.85, 0.95],
  cycleLen: 1,
  cycleMult: 2,
  mixup: false,
  saveBest: false,
  precompute: false,
};

export type ImportSessionResult = ResultOf<'importSession'>;

export interface ExportFile {
  /** Relative path in the export folder (`tfjs/model.json` when several formats are exported). */
  name: string;
  bytes: ArrayBuffer;
}

export interface TrainSlice {
  trainStatus: 'idle' | 'running' | 'error';
  trainError?: string;
  trainSetup?: LearnSetupResult;
  /** The args the current learner was set up with (none after a session import). */
  trainSetupArgs?: LearnSetupArgs;
  trainBatches: BatchRecord[];
  trainEpochs: (EpochRow & { numTensors: number })[];
  trainResult?: FitResult;
  /** The epochs of the worker's snapshot ensemble: the last fit's, or an imported session's. */
  snapshotEpochs?: number[];
  lrFindResult?: LrFindCmdResult;
  /** The current learner's measured batches (estimateStep); a new learner drops them. */
  stepTiming?: StepTiming;
  trainOptions: TrainOptions;
  fitOptions: FitOptions;
  /** lr_find's suggestion functions to mark; the first fills the fit's LR (fastai: valley). */
  lrSuggest: SuggestionName[];
  trainPaused: boolean;
  /** The panel's edits: an import's recipe (recipeSlice) leaves these fields alone. */
  setTrainOptions(o: Partial<TrainOptions>): void;
  setFitOptions(o: Partial<FitOptions>): void;
  setLrSuggest(names: SuggestionName[]): void;
  learnSetup(args?: LearnSetupArgs): Promise<LearnSetupResult | undefined>;
  /** Creates the learner from the Model panel's choice and the train options. */
  setupLearner(): Promise<void>;
  /** Fits with the fit options; `args` (the CLI's, over FIT_DEFAULTS) replace them first. */
  fit(args?: FitArgs): Promise<FitResult | undefined>;
  /** lr_find with `lrSuggest` (or `args.suggest`); its first suggestion becomes the fit's LR. */
  lrFind(args?: LrFindArgs): Promise<LrFindCmdResult | undefined>;
  timeSteps(args?: ArgsOf<'estimateStep'>): Promise<StepTiming | undefined>;
  pauseTraining(paused: boolean): Promise<void>;
  /** A session archive replaces the learner, its history and freeze state; throws on failure. */
  importSession(bytes: ArrayBuffer | Uint8Array, name?: string): Promise<ImportSessionResult>;
  /** One format's files, or every format (`all`) with the TF.js files under `tfjs/`. */
  exportFiles(
    format: ExportFormat | 'all',
    opts?: Omit<ArgsOf<'exportModel'>, 'format'>,
  ): Promise<ExportFile[]>;
  applyTrainEvents(events: WorkerEvent[]): void;
}

/** Drops undefined fields: an absent CLI flag keeps the default. */
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The Train panel's learner: the Model panel's choice and the train options (the demo data
 * when no usable folder is imported). */
export function panelSetupArgs(s: Studio): LearnSetupArgs {
  const o = s.trainOptions;
  const data = o.data === 'imported' && s.dataSummary && !s.dataSummary.errors.length;
  return setupArgsOf(s.modelChoice, { ...o, data: data ? 'imported' : 'demo' });
}

/** The history of an imported session as the Train panel's records: epoch table, curves. */
function recordsOf(h: ImportSessionResult['history']) {
  const of = h.batches.length;
  return {
    trainEpochs: h.epochs.map((e) => ({ ...e, numTensors: NaN })),
    trainBatches: h.batches.map((b) => ({
      iter: b.iter + 1,
      of,
      epoch: b.epoch,
      loss: b.loss,
      smoothLoss: b.smoothLoss,
      lr: b.lr,
      mom: b.mom,
      elapsed: 0,
      bs: 0,
    })),
  };
}

export const createTrainSlice: StateCreator<Studio, [], [], TrainSlice> = (set, get) => {
  /** Runs one worker command with the running/error bookkeeping every action shares. */
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    if (get().trainStatus === 'running' || !(await get().connect())) return undefined;
    set({ trainStatus: 'running', trainError: undefined });
    try {
      const r = await f();
      set({ trainStatus: 'idle' });
      return r;
    } catch (err) {
      set({ trainStatus: 'error', trainError: (err as Error).message });
      return undefined;
    }
  }
  async function connected() {
    if (!(await get().connect())) throw new Error('WebGPU is not available');
  }
  return {
    trainStatus: 'idle',
    trainBatches: [],
    trainEpochs: [],
    trainOptions: TRAIN_DEFAULTS,
    fitOptions: FIT_DEFAULTS,
    lrSuggest: ['valley'],
    trainPaused: false,
    setTrainOptions(o) {
      set((s) => ({ trainOptions: { ...s.trainOptions, ...o } }));
      get().markEdited(Object.keys(o));
    },
    setFitOptions(o) {
      set((s) => ({ fitOptions: { ...s.fitOptions, ...defined(o) } }));
      get().markEdited(Object.keys(defined(o)));
    },
    setLrSuggest(lrSuggest) {
      set({ lrSuggest });
    },
    learnSetup: (args = {}) =>
      run(async () => {
        const trainSetup = await worker().call('setupLearner', args);
        flushWorkerEvents();
        set({
          trainSetup,
          trainSetupArgs: args,
          trainBatches: [],
          trainEpochs: [],
          trainResult: undefined,
          snapshotEpochs: undefined,
          lrFindResult: undefined,
          stepTiming: undefined,
          freezeState: { groups: trainSetup.groups, frozenGroups: trainSetup.frozenGroups },
        });
        return trainSetup;
      }),
    async setupLearner() {
      await get().learnSetup(panelSetupArgs(get()));
    },
    async fit(args) {
      if (get().trainStatus === 'running') return undefined;
      // The CLI's args go to the worker as given, so an absent flag keeps the Learner's own
      // fastai default (fit_one_cycle's lr, the session's wd); the panel shows them over its own.
      if (args) set({ fitOptions: { ...FIT_DEFAULTS, ...defined(args) } });
      const o = get().fitOptions;
      // The panel's "keep snapshots" box belongs to sgdr: another method leaves it unsent.
      const panel = { ...o, snapshots: o.policy === 'sgdr' ? o.snapshots : undefined };
      const sent: FitArgs = args ? { ...defined(args), epochs: args.epochs } : panel;
      const r = await run(async () => {
        flushWorkerEvents();
        set({ trainBatches: [], trainEpochs: [], trainPaused: false });
        const trainResult = await worker().call('fit', sent);
        set({ trainResult, snapshotEpochs: trainResult.snapshots });
        return trainResult;
      });
      // fine_tune unfreezes, a fit on a lost device restarts from a checkpoint: ask the worker.
      await get().refreshFreeze();
      return r;
    },
    lrFind: (args = {}) =>
      run(async () => {
        const suggest = args.suggest ?? get().lrSuggest;
        // With precompute chosen, the sweep runs on the body features fine_tune will reuse.
        const precompute = args.precompute ?? !!get().fitOptions.precompute;
        const lrFindResult = await worker().call('lrFind', { ...args, suggest, precompute });
        set({ lrFindResult, lrSuggest: suggest });
        get().adoptLrSuggestion(lrFindResult.suggestion);
        return lrFindResult;
      }),
    timeSteps: (args = {}) =>
      run(async () => {
        const stepTiming = await worker().call('estimateStep', args);
        set({ stepTiming });
        return stepTiming;
      }),
    async pauseTraining(paused) {
      set({ trainPaused: paused });
      await worker().call('pause', { paused });
    },
    async importSession(bytes, name) {
      await connected();
      // Webcam captures live only in the archive: back into the data before it is checked.
      await get().restoreCaptures(bytes, name);
      const r = await worker().call('importSession', { bytes, name });
      flushWorkerEvents();
      set({
        trainSetup: r.setup,
        trainSetupArgs: undefined,
        stepTiming: undefined,
        ...recordsOf(r.history),
        trainResult: undefined,
        snapshotEpochs: r.snapshots,
        lrFindResult: undefined,
        trainError: undefined,
        trainStatus: 'idle',
        freezeState: { groups: r.setup.groups, frozenGroups: r.frozenGroups },
        ...CLEANER_RESET,
        cleanerEdits: r.cleaner,
      });
      return r;
    },
    async exportFiles(format, opts) {
      await connected();
      const formats = format === 'all' ? EXPORT_FORMATS : [format];
      const out: ExportFile[] = [];
      for (const f of formats) {
        const { files } = await worker().call('exportModel', { ...opts, format: f });
        const dir = format === 'all' && f === 'tfjs' ? 'tfjs/' : '';
        out.push(...files.map((x) => ({ name: dir + x.name, bytes: x.bytes })));
      }
      return out;
    },
    applyTrainEvents(events) {
      const batches: BatchRecord[] = [];
      const epochs: TrainSlice['trainEpochs'] = [];
      for (const e of events) {
        if (e.type === 'trainBatch') {
          const { type: _t, ...r } = e;
          batches.push(r);
        } else if (e.type === 'trainEpoch') epochs.push(e.row);
        else if (e.type === 'trainRecovered') {
          // The run went back to its last checkpoint (src/reliability/recovery.ts): drop what follows.
          const s = get();
          const b = [...s.trainBatches, ...batches].slice(0, e.keepBatches);
          const ep = [...s.trainEpochs, ...epochs].slice(0, e.keepEpochs);
          set({ trainBatches: b, trainEpochs: ep });
          batches.length = epochs.length = 0;
        }
      }
      if (batches.length || epochs.length)
        set((s) => ({
          trainBatches: [...s.trainBatches, ...batches],
          trainEpochs: [...s.trainEpochs, ...epochs],
        }));
    },
  };
};
