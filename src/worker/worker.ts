// The training worker: owns tfjs, the WebGPU device, models, optimizers and image caches.
// Each command of protocol.ts has one handler here; handlers are async and yield between
// batches, so a `stop` can arrive while a run is going.
import * as tf from '@tensorflow/tfjs';
import { NoWebGPUError, startEngine } from '../engine/device';
import { onEngineChoice } from '../engine/cpuEngine/choose';
import { startWasm } from '../engine/cpuEngine/wasm';
import { benchEngines } from './diagnostics/benchEngines';
import { kernelCheck } from '../engine/kernels/check';
import { kernelCheckBn } from '../engine/kernels/checkBn';
import { fineTuneParity } from '../learn/stepParity';
import { benchKernels } from '../engine/kernels/bench';
import { setStudioKernels, studioKernelsEnabled } from '../engine/kernels/register';
import { benchPipeline } from '../data/benchPipeline';
import { cachedImage, classSamples, importFiles, showBatch, stageFiles } from '../data/importer';
import { trainDemo } from '../learn/demo';
import { fit, learnFreeze, learnSetup, learnState, lrFindCmd, ttaCmd } from '../learn/session';
import * as models from '../models/session';
import { armDebugFault, epochHooks, memStats } from '../learn/recovery';
import { autosave } from '../reliability/autosave';
import { gradcamCmd, interpret, predictLearner } from '../learn/interpretSession';
import { exportModel, learnForward } from '../export/exportModel';
import { importSession } from '../export/sessionIO';
import type {
  ArgsOf,
  CommandName,
  FromWorker,
  ResultOf,
  ToWorker,
  WorkerEvent,
} from '../shared/protocol';

const post = (msg: FromWorker) => (self as unknown as Worker).postMessage(msg);
export const emit = (event: WorkerEvent) => post({ kind: 'event', event });

/** Cooperative cancellation: long-running handlers poll this between batches. */
export const control = { stopRequested: false, paused: false };

// Every epoch end: the session into IndexedDB, for a reloaded tab (src/reliability/restore.ts).
epochHooks.push(autosave);
// Which engine runs each forward-only phase: shown by the Train panel.
onEngineChoice((choice) => emit({ type: 'engine', ...choice }));

const engine = () => startEngine((reason) => emit({ type: 'deviceLost', reason }));

type Handlers = { [K in CommandName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> };

const handlers: Handlers = {
  async info() {
    const e = await engine();
    return {
      adapter: e.info,
      backend: tf.getBackend(),
      wasm: await startWasm(),
      versions: { tfjs: tf.version.tfjs, tfjsBackendWebgpu: __TFJS_WEBGPU_VERSION__ },
    };
  },
  async trainDemo(args) {
    await engine();
    control.stopRequested = false;
    return trainDemo(args, emit, () => control.stopRequested);
  },
  async stop() {
    control.stopRequested = true;
    return { stopping: true };
  },
  // Learner session (src/learn/session.ts).
  async learnSetup(args) {
    await engine();
    return learnSetup(args);
  },
  async fit(args) {
    await engine();
    Object.assign(control, { stopRequested: false, paused: false });
    return fit(args, emit, control);
  },
  async lrFind(args) {
    await engine();
    return lrFindCmd(args);
  },
  async tta(args) {
    await engine();
    return ttaCmd(args);
  },
  async learnState() {
    await engine();
    return learnState();
  },
  async pause(args) {
    control.paused = args.paused;
    return { paused: control.paused };
  },
  async debugFault(args) {
    return armDebugFault(args);
  },
  async memStats() {
    return memStats();
  },
  async learnFreeze(args) {
    return learnFreeze(args);
  },
  async kernelCheck(args) {
    await engine();
    return kernelCheck(args.seed ?? 1, args.only);
  },
  async kernelCheckBn(args) {
    await engine();
    return kernelCheckBn(args.seed ?? 1, args.only);
  },
  async learnerParity(args) {
    await engine();
    const file = (name: string) => {
      const f = args.files.find((x) => x.name === `${name}.safetensors`);
      if (!f) throw new Error(`learner-parity needs ${name}.safetensors`);
      return new Uint8Array(f.bytes);
    };
    return fineTuneParity({ initial: file('initial'), data: file('data'), final: file('final') });
  },
  async setStudioKernels(args) {
    await engine();
    setStudioKernels(args.enabled);
    return { enabled: studioKernelsEnabled() };
  },
  async benchKernels(args) {
    await engine();
    return benchKernels(args);
  },
  async benchEngines(args) {
    await engine();
    return benchEngines(args);
  },
  // Data import: decoding needs no GPU; show_batch augments on it.
  async stageFiles(args) {
    return { staged: stageFiles(args.files, args.reset) };
  },
  async importFiles(args) {
    return importFiles(args, emit);
  },
  async dataSamples(args) {
    return classSamples(args.perClass);
  },
  async dataImage(args) {
    return cachedImage(args.path) ?? null;
  },
  async showBatch(args) {
    await engine();
    return showBatch(args);
  },
  async benchData(args) {
    await engine();
    return benchPipeline(args);
  },
  // Models: weight parsing needs no GPU, running the model does.
  async modelCreate(args) {
    await engine();
    return models.createModel(args);
  },
  async modelLoadWeights(args) {
    await engine();
    return models.loadWeights(args);
  },
  async modelLoadBundled() {
    await engine();
    return models.loadBundled();
  },
  async modelForward(args) {
    await engine();
    return models.forward(args);
  },
  async predict(args) {
    await engine();
    return models.predict(args);
  },
  // Interpret panel: the Learner session's model (src/learn/interpretSession.ts).
  async interpret(args) {
    await engine();
    return interpret(args);
  },
  async gradcam(args) {
    await engine();
    return gradcamCmd(args);
  },
  async predictLearner(args) {
    await engine();
    return predictLearner(args);
  },
  // Export (src/export/): the Learner session's model and whole session.
  async exportModel(args) {
    await engine();
    return exportModel(args);
  },
  async importSession(args) {
    await engine();
    return importSession(new Uint8Array(args.bytes));
  },
  async learnForward(args) {
    await engine();
    return learnForward(args);
  },
};

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const { id, name, args } = e.data;
  try {
    const handler = handlers[name] as (a: typeof args) => Promise<unknown>;
    post({ kind: 'reply', id, result: await handler(args) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id, message, noWebGPU: err instanceof NoWebGPUError });
  }
};
