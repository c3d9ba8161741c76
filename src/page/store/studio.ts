// The UI's single source of truth. Actions send commands to the worker; worker events flow
// back in through `applyEvent`. Slices by concern, combined by spreading (zustand docs).
import { create, type StateCreator } from 'zustand';
import { WorkerCallError, WorkerClient } from './client';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createInterpretSlice, type InterpretSlice } from './interpretSlice';
import type { AdapterInfo, WorkerEvent, WorkerInfo } from '../../shared/protocol';

let client: WorkerClient | undefined;
export const worker = () => (client ??= new WorkerClient());

export type EngineStatus = 'idle' | 'connecting' | 'ready' | 'unsupported' | 'error';

export interface EngineSlice {
  engineStatus: EngineStatus;
  engineError?: string;
  adapter?: AdapterInfo;
  info?: WorkerInfo;
  connect(): Promise<WorkerInfo | undefined>;
}

/** The last demo run: the Train panel's Learner on the generated shapes (its batches and
 * epochs are the train slice's). */
export interface DemoResult {
  losses: number[];
  accuracy: number;
  stopped: boolean;
  seconds: number;
}

export interface DemoSlice {
  demoResult?: DemoResult;
  demoError?: string;
  /** `steps` training batches of `bs` shapes, one-cycle at lr 1e-2: three epochs when they
   * divide evenly, else one. */
  trainDemo(args?: { steps?: number; bs?: number }): Promise<DemoResult | undefined>;
  stop(): Promise<void>;
}

export interface LogSlice {
  log: string[];
  applyEvents(events: WorkerEvent[]): void;
}

export type StudioState = EngineSlice &
  DemoSlice &
  LogSlice &
  DataSlice &
  TrainSlice &
  ModelSlice &
  InterpretSlice;

const DEMO_DEFAULTS = { steps: 60, bs: 16, lr: 1e-2, size: 32, seed: 1 };

const createEngineSlice: StateCreator<StudioState, [], [], EngineSlice> = (set, get) => ({
  engineStatus: 'idle',
  async connect() {
    if (get().info) return get().info;
    set({ engineStatus: 'connecting', engineError: undefined });
    try {
      const info = await worker().call('info', {});
      set({ engineStatus: 'ready', info, adapter: info.adapter });
      return info;
    } catch (err) {
      const noWebGPU = err instanceof WorkerCallError && err.noWebGPU;
      set({
        engineStatus: noWebGPU ? 'unsupported' : 'error',
        engineError: String((err as Error).message),
      });
      return undefined;
    }
  },
});

// The demo is a dataset choice of the normal Learner: the Train panel's setup and fit actions.
const createDemoSlice: StateCreator<StudioState, [], [], DemoSlice> = (set, get) => ({
  async trainDemo(args = {}) {
    const { steps, bs, lr, size, seed } = { ...DEMO_DEFAULTS, ...args };
    const epochs = steps % 3 === 0 ? 3 : 1;
    set({ demoResult: undefined, demoError: undefined });
    const setup = await get().learnSetup({
      data: 'demo',
      arch: 'tiny-bn-cnn',
      size,
      bs,
      nTrain: steps / epochs,
      nValid: 4,
      seed,
    });
    const r = setup && (await get().fit({ policy: 'one_cycle', epochs, lr }));
    if (!r) {
      set({ demoError: get().trainError ?? get().engineError ?? 'the demo did not run' });
      return undefined;
    }
    flushWorkerEvents();
    const demoResult: DemoResult = {
      losses: get().trainBatches.map((b) => b.loss),
      accuracy: r.rows.at(-1)?.metrics.accuracy ?? NaN,
      stopped: r.stopped,
      seconds: r.seconds,
    };
    set({ demoResult });
    return demoResult;
  },
  async stop() {
    await worker().call('stop', {});
  },
});

const createLogSlice: StateCreator<StudioState, [], [], LogSlice> = (set) => ({
  log: [],
  // One store update per flush, however many events arrived: React renders once.
  applyEvents(events) {
    set((s) => {
      const next: Partial<StudioState> = {};
      const log = [...s.log];
      for (const e of events) {
        switch (e.type) {
          case 'status':
            log.push(e.message);
            break;
          case 'importProgress':
            next.dataProgress = { done: e.done, of: e.of };
            break;
          case 'deviceLost':
            log.push(`GPU device lost: ${e.reason}`);
            Object.assign(next, { info: undefined, engineStatus: 'idle' });
            break;
        }
      }
      if (log.length !== s.log.length) next.log = log.slice(-200);
      return next;
    });
  },
});

export const useStudio = create<StudioState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createDemoSlice(...a),
  ...createLogSlice(...a),
  ...createDataSlice(...a),
  ...createTrainSlice(...a),
  ...createModelSlice(...a),
  ...createInterpretSlice(...a),
}));

/** How often queued worker events reach the store: live enough for charts, cheap for React. */
export const EVENT_FLUSH_MS = 250;

let flushQueued = () => {};

/**
 * Applies the queued worker events now. Call it before resetting state that events fill (a new
 * fit's charts): a flush arriving after the reset would bring the previous run's records back.
 */
export const flushWorkerEvents = () => flushQueued();

/** Wire worker events into the store once, at startup, batched per EVENT_FLUSH_MS. */
export function connectEvents() {
  let queue: WorkerEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const events = queue;
    queue = [];
    if (!events.length) return;
    useStudio.getState().applyEvents(events);
    useStudio.getState().applyTrainEvents(events);
  };
  flushQueued = flush;
  return worker().onEvent((e) => {
    queue.push(e);
    timer ??= setTimeout(flush, EVENT_FLUSH_MS);
  });
}
