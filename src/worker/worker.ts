// The training worker: owns tfjs, the WebGPU device, models, optimizers and image caches. A
// table of handlers, one per command of protocol.ts, each given the command's args and the one
// worker state (state.ts); handlers are async and yield between batches, so a `stop` can arrive
// while a run is going.
import * as tf from '@tensorflow/tfjs';
import { NoWebGPUError, startEngine } from '../engine/device';
import { fallbackEngine, refusal, startFallback } from '../engine/fallback';
import {
  registerStudioKernels,
  setStudioKernels,
  studioKernelsEnabled,
} from '../engine/kernels/register';
import { onEngineChoice } from '../engine/cpuEngine/choose';
import { startWasm } from '../engine/cpuEngine/wasm';
import type {
  CommandName,
  FromWorker,
  SelfTestReport,
  ToWorker,
  WorkerEvent,
} from '../shared/protocol';
import { dataHandlers } from './handlers/data';
import { exportHandlers } from './handlers/export';
import { interpretHandlers } from './handlers/interpret';
import { modelHandlers } from './handlers/models';
import { sessionHandlers } from './handlers/session';
import type { Handler, Handlers } from './handlers/types';
import { createWorkerState } from './state';
import { startupSelfTest } from './selfTest';

const post = (msg: FromWorker) => (self as unknown as Worker).postMessage(msg);
const emit = (event: WorkerEvent) => post({ kind: 'event', event });

const state = createWorkerState();
// Which engine runs each forward-only phase: shown by the Train panel.
onEngineChoice((choice) => emit({ type: 'engine', ...choice }));

// The kernel self-test's verdict: before any other GPU command, once per page (a new device
// after a loss keeps the routing: tfjs's kernel registry outlives it).
let selfTest: Promise<SelfTestReport> | undefined;

const webgpu = () =>
  startEngine((reason) => {
    state.deviceLost++;
    emit({ type: 'deviceLost', reason });
  }).then(async (e) => {
    registerStudioKernels(e.info); // our WGSL kernels replace the stock ones (once)
    await (selfTest ??= startupSelfTest(e.info, emit));
    return e;
  });

/** WebGPU, or once it is known to be missing, the fallback engine (wasm, else webgl). */
async function engine() {
  if (fallbackEngine()) return undefined;
  try {
    return await webgpu();
  } catch (err) {
    if (!(err instanceof NoWebGPUError)) throw err;
    await startFallback(err.message);
    return undefined;
  }
}

/** Some weights of the Learner's body would train (fastai's freeze leaves only the head). */
const bodyTrains = () => {
  const m = state.learner?.learn.model;
  return !!m && m.frozenGroups < m.groups.length - 1;
};

// Diagnostics: kernel checks, benchmarks, the Learner's step parity (args only, no state),
// loaded when first asked for: none of it is in the worker's main chunk.
const diagnostics: Handlers<
  | 'kernelCheck'
  | 'kernelCheckBn'
  | 'learnerParity'
  | 'setStudioKernels'
  | 'selfTest'
  | 'benchKernels'
  | 'benchRecipe'
  | 'benchData'
  | 'benchEngines'
> = {
  async kernelCheck(args) {
    const { kernelCheck } = await import('./diagnostics/kernelCheck');
    return kernelCheck(args.seed ?? 1, args.only);
  },
  async kernelCheckBn(args) {
    const { kernelCheckBn } = await import('./diagnostics/kernelCheckBn');
    return kernelCheckBn(args.seed ?? 1, args.only);
  },
  async learnerParity(args) {
    const file = (name: string) => {
      const f = args.files.find((x) => x.name === `${name}.safetensors`);
      if (!f) throw new Error(`learner-parity needs ${name}.safetensors`);
      return new Uint8Array(f.bytes);
    };
    const { fineTuneParity } = await import('./diagnostics/stepParity');
    return fineTuneParity({ initial: file('initial'), data: file('data'), final: file('final') });
  },
  async selfTest(args) {
    const e = await engine();
    if (!e) throw new Error('the kernel self-test checks the WebGPU kernels: there is no WebGPU');
    const { info } = e;
    const opts = { force: true, breakKernel: args.breakKernel };
    const report = await startupSelfTest(info, emit, opts); // a bad --break leaves the last verdict
    selfTest = Promise.resolve(report);
    return report;
  },
  async setStudioKernels(args) {
    setStudioKernels(args.enabled);
    return { enabled: studioKernelsEnabled() };
  },
  async benchKernels(args) {
    const { benchKernels } = await import('./diagnostics/benchKernels');
    return benchKernels(args);
  },
  async benchRecipe(args, _st, emit) {
    const { benchRecipe } = await import('./diagnostics/benchRecipe');
    return benchRecipe(args, (message) => emit({ type: 'status', message }));
  },
  async benchData(args, st) {
    const { benchPipeline } = await import('./diagnostics/benchPipeline');
    return benchPipeline(st.data, args);
  },
  async benchEngines(args) {
    const { benchEngines } = await import('./diagnostics/benchEngines');
    return benchEngines(args);
  },
};

const handlers: Handlers = {
  async info() {
    const e = await engine();
    const fallback = fallbackEngine();
    return {
      adapter: e?.info,
      engine: fallback?.backend ?? 'webgpu',
      noWebGPU: fallback?.reason,
      backend: tf.getBackend(),
      wasm: await startWasm(),
      versions: { tfjs: tf.version.tfjs, tfjsBackendWebgpu: __TFJS_WEBGPU_VERSION__ },
      selfTest: await selfTest!,
    };
  },
  ...sessionHandlers,
  ...dataHandlers,
  ...modelHandlers,
  ...interpretHandlers,
  ...exportHandlers,
  ...diagnostics,
};

/** Commands that need no GPU: run without bringing the engine up (import, controls, faults). */
const NO_ENGINE = new Set<CommandName>([
  'stop',
  'pause',
  'debugFault',
  'memStats',
  'freezeLearner',
  'stageFiles',
  'importFiles',
  'dataSamples',
  'dataImage',
  'sessionCaptures',
]);

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const { id, name, args } = e.data;
  try {
    if (!NO_ENGINE.has(name)) await engine();
    const refused = fallbackEngine() && refusal(name, args, bodyTrains);
    if (refused) throw new Error(refused);
    const handler = handlers[name] as Handler<typeof name>;
    post({ kind: 'reply', id, result: await handler(args as never, state, emit) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id, message, noWebGPU: err instanceof NoWebGPUError });
  }
};
