// The UI's single source of truth. Actions send commands to the worker; worker events flow
// back in through `applyEvent`. Slices by concern, combined by spreading (zustand docs).
import { create, type StateCreator } from 'zustand';
import type { AdapterInfo } from '../engine/device';
import { WorkerCallError, WorkerClient } from '../worker/client';
import type { DemoTrainArgs, DemoTrainResult, WorkerEvent, WorkerInfo } from '../worker/protocol';

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
  applyEvent(e: WorkerEvent): void;
}

export type StudioState = EngineSlice & DemoSlice & LogSlice;

export const DEMO_DEFAULTS: DemoTrainArgs = { steps: 60, batchSize: 16, lr: 1e-2, size: 32, seed: 1 };

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
      set({ engineStatus: noWebGPU ? 'unsupported' : 'error', engineError: String((err as Error).message) });
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
    set({ demoRunning: true, demoLosses: [], demoResult: undefined, demoError: undefined, demoProgress: { step: 0, of: full.steps } });
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
  applyEvent(e) {
    switch (e.type) {
      case 'batch':
        set((s) => ({ demoLosses: [...s.demoLosses, { step: e.step, loss: e.loss }], demoProgress: { step: e.step, of: e.of } }));
        break;
      case 'status':
        set((s) => ({ log: [...s.log.slice(-199), e.message] }));
        break;
      case 'deviceLost':
        set((s) => ({ log: [...s.log.slice(-199), `GPU device lost: ${e.reason}`], info: undefined, engineStatus: 'idle' }));
        break;
    }
  },
});

export const useStudio = create<StudioState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createDemoSlice(...a),
  ...createLogSlice(...a),
}));

/** Wire worker events into the store once, at startup. */
export function connectEvents() {
  return worker().onEvent((e) => useStudio.getState().applyEvent(e));
}
