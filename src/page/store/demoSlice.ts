// The built-in demo: a tiny CNN trained on shapes drawn in the worker, with its loss curve.
import type { StateCreator } from 'zustand';
import type { DemoTrainArgs, DemoTrainResult, WorkerEvent } from '../../shared/protocol';
import { worker } from './client';
import type { Studio } from './studio';

export interface DemoSlice {
  demoRunning: boolean;
  demoLosses: { step: number; loss: number }[];
  demoProgress: { step: number; of: number };
  demoResult?: DemoTrainResult;
  demoError?: string;
  trainDemo(args?: Partial<DemoTrainArgs>): Promise<DemoTrainResult | undefined>;
  stop(): Promise<void>;
  applyDemoEvents(events: WorkerEvent[]): void;
}

export const DEMO_DEFAULTS: DemoTrainArgs = {
  steps: 60,
  batchSize: 16,
  lr: 1e-2,
  size: 32,
  seed: 1,
};

export const createDemoSlice: StateCreator<Studio, [], [], DemoSlice> = (set, get) => ({
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
  applyDemoEvents(events) {
    const batches = events.filter((e) => e.type === 'batch');
    const last = batches.at(-1);
    if (!last) return;
    set((s) => ({
      demoLosses: [...s.demoLosses, ...batches.map((e) => ({ step: e.step, loss: e.loss }))],
      demoProgress: { step: last.step, of: last.of },
    }));
  },
});
