// The engine: the worker's GPU adapter and device (started on first use, lost and replaced by the
// worker on its own), and the log of its status messages that the notices show.
import type { StateCreator } from 'zustand';
import type { ArgsOf, ResultOf, WorkerEvent, WorkerInfo } from '../../shared/protocol';
import type { EngineChoice } from '../../shared/engines';
import { WorkerCallError, worker } from './client';
import type { Studio } from './studio';

export type EngineStatus = 'idle' | 'connecting' | 'ready' | 'unsupported' | 'error';

/** Checks and measurements with no panel (the CLI and the e2e specs run them). */
export type Diagnostic =
  | 'kernelCheck'
  | 'kernelCheckBn'
  | 'benchKernels'
  | 'benchRecipe'
  | 'benchData'
  | 'benchEngines'
  | 'learnerParity'
  | 'learnState'
  | 'learnForward'
  | 'memStats'
  | 'debugFault';

export interface EngineSlice {
  engineStatus: EngineStatus;
  engineError?: string;
  adapter?: WorkerInfo['adapter'];
  info?: WorkerInfo;
  /** The worker's status messages, and the page's own notices (the last 200). */
  log: string[];
  /** Which engine ran each forward-only phase last (webgpu, or wasm on an emulated GPU). */
  engineChoices: EngineChoice[];
  /** Starts the worker's WebGPU device once; undefined when there is none. */
  connect(): Promise<WorkerInfo | undefined>;
  /** Reruns the kernel self-test (`breakKernel`: the e2e's test hook) and shows its verdict. */
  rerunSelfTest(breakKernel?: string): Promise<ResultOf<'selfTest'>>;
  /** Conv/matmul on the studio's WGSL kernels (true, the default) or stock tfjs-webgpu. */
  useStudioKernels(enabled: boolean): Promise<{ enabled: boolean }>;
  diagnose<K extends Diagnostic>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  /** One line in the log (the notices show the reliability ones). */
  notify(message: string): void;
  applyEngineEvents(events: WorkerEvent[]): void;
}

const LOG_KEEP = 200;

export const createEngineSlice: StateCreator<Studio, [], [], EngineSlice> = (set, get) => {
  async function connected() {
    if (!(await get().connect())) throw new Error(get().engineError ?? 'WebGPU is not available');
  }
  return {
    engineStatus: 'idle',
    log: [],
    engineChoices: [],
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
    async rerunSelfTest(breakKernel) {
      await connected();
      const selfTest = await worker().call('selfTest', { breakKernel });
      set((s) => ({ info: s.info && { ...s.info, selfTest } }));
      return selfTest;
    },
    async useStudioKernels(enabled) {
      await connected();
      return worker().call('setStudioKernels', { enabled });
    },
    async diagnose(name, args) {
      await connected();
      return worker().call(name, args);
    },
    notify(message) {
      set((s) => ({ log: [...s.log, message].slice(-LOG_KEEP) }));
    },
    // One store update per flush, however many events arrived: React renders once.
    applyEngineEvents(events) {
      const lines: string[] = [];
      let lost = false;
      const choices = events.flatMap((e) =>
        e.type === 'engine'
          ? [{ phase: e.phase, engine: e.engine, reason: e.reason, ms: e.ms }]
          : [],
      );
      if (choices.length)
        set((s) => {
          const byPhase = new Map(s.engineChoices.map((c) => [c.phase, c]));
          for (const c of choices) byPhase.set(c.phase, c);
          return { engineChoices: [...byPhase.values()] };
        });
      for (const e of events)
        if (e.type === 'status') lines.push(e.message);
        else if (e.type === 'deviceLost') {
          lines.push(`GPU device lost: ${e.reason}`);
          lost = true;
        }
      if (!lines.length) return;
      set((s) => ({
        log: [...s.log, ...lines].slice(-LOG_KEEP),
        ...(lost && { info: undefined, engineStatus: 'idle' as const }),
      }));
    },
  };
};
