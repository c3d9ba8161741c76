// The built-in demo: a dataset choice of the normal Learner. "Train the demo" runs the Train
// panel's setup and fit actions on the generated shapes (its batches and epochs are the train
// slice's); the slice keeps only the run's summary.
import type { StateCreator } from 'zustand';
import { worker } from './client';
import type { Studio } from './studio';
import { flushWorkerEvents } from './client';

/** The last demo run: its losses, final accuracy, whether it was stopped, how long it took. */
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

export const DEMO_DEFAULTS = { steps: 60, bs: 16, lr: 1e-2, size: 32, seed: 1 };

export const createDemoSlice: StateCreator<Studio, [], [], DemoSlice> = (set, get) => ({
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
