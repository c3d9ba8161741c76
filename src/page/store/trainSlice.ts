// The Train panel's state: the Learner session in the worker, its per-batch records (loss
// curve, LR and momentum) and per-epoch table, and lr_find's curve and suggestion.
import type { StateCreator } from 'zustand';
import type {
  BatchRecord,
  EpochRow,
  FitArgs,
  FitResult,
  LearnSetupArgs,
  LearnSetupResult,
  LrFindArgs,
  LrFindCmdResult,
  WorkerEvent,
} from '../../shared/protocol';
import { flushWorkerEvents, worker, type StudioState } from './studio';

export interface TrainSlice {
  trainStatus: 'idle' | 'running' | 'error';
  trainError?: string;
  trainSetup?: LearnSetupResult;
  trainBatches: BatchRecord[];
  trainEpochs: (EpochRow & { numTensors: number })[];
  trainResult?: FitResult;
  lrFindResult?: LrFindCmdResult;
  learnSetup(args?: LearnSetupArgs): Promise<LearnSetupResult | undefined>;
  fit(args: FitArgs): Promise<FitResult | undefined>;
  lrFind(args?: LrFindArgs): Promise<LrFindCmdResult | undefined>;
  pauseTraining(paused: boolean): Promise<void>;
  applyTrainEvents(events: WorkerEvent[]): void;
}

export const createTrainSlice: StateCreator<StudioState, [], [], TrainSlice> = (set, get) => {
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
  return {
    trainStatus: 'idle',
    trainBatches: [],
    trainEpochs: [],
    learnSetup: (args = {}) =>
      run(async () => {
        const trainSetup = await worker().call('setupLearner', args);
        flushWorkerEvents();
        set({
          trainSetup,
          trainBatches: [],
          trainEpochs: [],
          trainResult: undefined,
          lrFindResult: undefined,
        });
        return trainSetup;
      }),
    fit: (args) =>
      run(async () => {
        flushWorkerEvents();
        set({ trainBatches: [], trainEpochs: [] });
        const trainResult = await worker().call('fit', args);
        set({ trainResult });
        return trainResult;
      }),
    lrFind: (args = {}) =>
      run(async () => {
        const lrFindResult = await worker().call('lrFind', args);
        set({ lrFindResult });
        return lrFindResult;
      }),
    async pauseTraining(paused) {
      await worker().call('pause', { paused });
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
          // The run went back to its last checkpoint (src/learn/recovery.ts): drop what follows.
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
