// The UI's single source of truth. Actions send commands to the worker; worker events flow
// back in through `applyEvent`. Slices by concern, combined by spreading (zustand docs).
import { create, type StateCreator } from 'zustand';
import { WorkerCallError, WorkerClient } from './client';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createInterpretSlice, type InterpretSlice } from './interpretSlice';
import type {
  AdapterInfo,
  DemoTrainArgs,
  DemoTrainResult,
  WorkerEvent,
  WorkerInfo,
} from '../../shared/protocol';

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

export interface DemoSlice {
  demoRunning: boolean;
  demoLosses: { step: number; loss: number }[];
  demoProgress: { step: number; of: number };
  demoResult?: DemoTrainResult;
  demoError?: string;
  trainDemo(args?: Partial<DemoTrainArgs>): Promise<DemoTrainResult | undefined>;
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

export const DEMO_DEFAULTS: DemoTrainArgs = {
  steps: 60,
  batchSize: 16,
  lr: 1e-2,
  size: 32,
  seed: 1,
};

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

const createDemoSlice: StateCreator<StudioState, [], [], DemoSlice> = (set, get) => ({
  demoRunning: false,
  demoLosses: [],
  demoProgress: { step: 0, of: 0 },
  async trainDemo(args) {
    if (get().demoRunning) return undefined;
    if (!(await get().connect())) return undefined;
    const full = { ...DEMO_DEFAULTS, ...args };
    set({
      demoRunning: true,
      demoLosses: [],
      demoResult: undefined,
      demoError: undefined,
      demoProgress: { step: 0, of: full.steps },
    });
    try {
      const result = await worker().call('trainDemo', full);
      set({ demoResult: result });
      return result;
    } catch (err) {
      set({ demoError: (err as Error).message });
      return undefined;
    } finally {
      set({ demoRunning: false });
    }
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
      const losses = [...s.demoLosses];
      const log = [...s.log];
      for (const e of events) {
        switch (e.type) {
          case 'batch':
            losses.push({ step: e.step, loss: e.loss });
            next.demoProgress = { step: e.step, of: e.of };
            break;
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
      if (losses.length !== s.demoLosses.length) next.demoLosses = losses;
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
