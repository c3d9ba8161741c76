// The one typed contract between the page and the training worker. Commands go in (each with
// an id and a reply), events come out (progress, metrics, status). Add a command by adding an
// entry to `Commands` and a handler in worker.ts; the compiler checks both ends.
import type {
  DataBenchArgs,
  DataBenchResult,
  BenchArgs,
  BenchResult,
  BenchRecipeArgs,
  BenchRecipeResult,
  KernelCheckResult,
  StepParityResult,
} from './protocol/diagnostics';
import type {
  ImportFile,
  ImportFilesArgs,
  ImportSummary,
  RgbSample,
  ShowBatchArgs,
} from './protocol/data';
import type { ExportArgs, ExportResult, ImportSessionResult } from './protocol/export';
import type { BenchEnginesArgs, BenchEnginesResult, EngineEvent, WasmInfo } from './engines';
import type {
  CleanerEdit,
  CleanerLossesResult,
  GradCamArgs,
  GradCamResult,
  InterpretResult,
  LearnerPrediction,
  PredictLearnerArgs,
} from './protocol/interpret';
import type {
  DebugFaultArgs,
  FitArgs,
  FitResult,
  FreezeResult,
  LearnSetupArgs,
  LearnSetupResult,
  LearnStateResult,
  LrFindArgs,
  LrFindCmdResult,
  EstimateStepArgs,
  MemStats,
  RecoveryEvent,
  StepTiming,
  TrainEvent,
  TtaResult,
  EnsembleResult,
} from './protocol/learn';
import type { SelfTestArgs, SelfTestReport } from './protocol/selfTest';
import type {
  AdapterInfo,
  ModelInfo,
  PredictImage,
  Prediction,
  WeightFile,
} from './protocol/models';

// The data types the messages carry, one file per concern.
export type * from './protocol/data';
export type * from './protocol/diagnostics';
export type * from './protocol/export';
export type * from './protocol/interpret';
export type * from './protocol/learn';
export type * from './protocol/models';
export type * from './protocol/selfTest';

/** The engine tfjs runs on without WebGPU (src/engine/fallback.ts). */
export type FallbackName = 'wasm' | 'webgl';

export interface WorkerInfo {
  /** The WebGPU adapter; absent when the worker runs on a fallback engine. */
  adapter?: AdapterInfo;
  /** The main engine: WebGPU, or the fallback when this browser has none. */
  engine: 'webgpu' | FallbackName;
  /** Why WebGPU is not used (engine is a fallback). */
  noWebGPU?: string;
  backend: string;
  /** The forward-only CPU engine next to webgpu (src/engine/cpuEngine). */
  wasm: WasmInfo;
  versions: { tfjs: string; tfjsBackendWebgpu: string };
  /** The kernel self-test of this adapter: which Studio kernels run on stock tfjs, and why. */
  selfTest: SelfTestReport;
}

export interface Commands {
  info: { args: Record<string, never>; result: WorkerInfo };
  stop: { args: Record<string, never>; result: { stopping: boolean } };
  /** Studio WGSL kernels vs tfjs CPU (and vs stock webgpu), ops and gradients. */
  kernelCheck: { args: { seed?: number; only?: string }; result: KernelCheckResult };
  /** Reruns the kernel self-test (ignoring the cached verdict) and routes what fails. */
  selfTest: { args: SelfTestArgs; result: SelfTestReport };
  /** Switches conv/matmul between the Studio kernels and stock tfjs-webgpu. */
  setStudioKernels: { args: { enabled: boolean }; result: { enabled: boolean } };
  /** Per-kernel GFLOP/s and a ResNet-18 train step, Studio kernels vs stock webgpu. */
  benchKernels: { args: BenchArgs; result: BenchResult };
  /** One ResNet50 step per recipe phase, profiled (worker/diagnostics/benchRecipe.ts). */
  benchRecipe: { args: BenchRecipeArgs; result: BenchRecipeResult };
}

// Data import (src/data/importer.ts): decode + label + split in the worker, samples for the panel.
export interface Commands {
  stageFiles: { args: { files: ImportFile[]; reset: boolean }; result: { staged: number } };
  importFiles: { args: ImportFilesArgs; result: ImportSummary };
  dataSamples: { args: { perClass: number }; result: RgbSample[] };
  dataImage: { args: { path: string }; result: RgbSample | null };
  showBatch: { args: ShowBatchArgs; result: RgbSample[] };
  benchData: { args: DataBenchArgs; result: DataBenchResult };
}

// Models (src/models/session.ts): architectures, weight import, the bundled ImageNet ResNet50.
export interface Commands {
  modelCreate: { args: { arch: string; nClasses?: number; seed?: number }; result: ModelInfo };
  modelLoadWeights: {
    args: { files: WeightFile[]; arch?: string; nClasses?: number };
    result: ModelInfo;
  };
  modelLoadBundled: { args: Record<string, never>; result: ModelInfo };
  modelForward: {
    args: { input: Float32Array | number[]; shape: [number, number, number, number] };
    result: { logits: number[][] };
  };
  predict: { args: { images: PredictImage[]; top?: number; size?: number }; result: Prediction[] };
}

// Learner (src/learn/session.ts): one training session kept in the worker between commands.
export interface Commands {
  setupLearner: { args: LearnSetupArgs; result: LearnSetupResult };
  fit: { args: FitArgs; result: FitResult };
  lrFind: { args: LrFindArgs; result: LrFindCmdResult };
  /** Times one frozen and one unfrozen training batch and a validation batch (weights kept). */
  estimateStep: { args: EstimateStepArgs; result: StepTiming };
  tta: { args: { n?: number; beta?: number }; result: TtaResult };
  /** The snapshot ensemble's metrics next to the final weights' (src/learn/ensemble.ts). */
  ensemble: { args: Record<string, never>; result: EnsembleResult };
  /** Fingerprints of weights and optimizer state, and the live tensor count. */
  learnState: { args: Record<string, never>; result: LearnStateResult };
  /** Pause/resume a running fit between batches (stop uses `stop`). */
  pause: { args: { paused: boolean }; result: { paused: boolean } };
}

// Model panel (ui): freeze/unfreeze the learner's model; no `frozen`: report only; null: no learner.
export interface Commands {
  freezeLearner: {
    args: { frozen?: boolean };
    result: FreezeResult;
  };
}

// Interpret panel (src/learn/interpretSession.ts): the Learner session's model on the validation
// set (ClassificationInterpretation), Grad-CAM, predictions on new images.
export interface Commands {
  interpret: { args: { k?: number; thresh?: number }; result: InterpretResult };
  gradcam: { args: GradCamArgs; result: GradCamResult };
  predictLearner: { args: PredictLearnerArgs; result: LearnerPrediction[] };
  /** The cleaner (src/learn/cleaner.ts): one split's items by loss, and the edit overlay (no
   * `edits`: report it; else replace it, and the session's loaders with it). */
  cleanerLosses: { args: { split: 'train' | 'valid' }; result: CleanerLossesResult };
  cleanerEdits: { args: { edits?: CleanerEdit[] }; result: { edits: CleanerEdit[] } };
}

// Reliability (src/reliability/recovery.ts): one-shot faults for tests, consumed by the next fit.
// Harmless by construction: nothing happens outside a fit, and the fit recovers from both.
export interface Commands {
  debugFault: { args: DebugFaultArgs; result: DebugFaultArgs };
  /** tf.memory() of the worker (tensors, GPU bytes) and its JS heap if the browser says. */
  memStats: { args: Record<string, never>; result: MemStats };
}

// Export (src/export/): the Learner session's model as safetensors + config.json, TF.js, a
// session archive or a fastai script; session import; eval probabilities for export checks.
export interface Commands {
  exportModel: { args: ExportArgs; result: ExportResult };
  importSession: {
    /** `name`: the file's, for messages. */
    args: { bytes: ArrayBuffer | Uint8Array; name?: string };
    result: ImportSessionResult;
  };
  /** The webcam captures a session archive carries (put back in the Data panel before importSession). */
  sessionCaptures: {
    args: { bytes: ArrayBuffer | Uint8Array; name?: string };
    result: { cls: string; id: number; bytes: Uint8Array }[];
  };
  learnForward: {
    args: { input: Float32Array | number[]; shape: [number, number, number, number] };
    result: { probs: number[][]; logits: number[][] };
  };
}

// The forward-only engines (src/engine/cpuEngine): one ResNet forward on webgpu vs wasm.
export interface Commands {
  benchEngines: { args: BenchEnginesArgs; result: BenchEnginesResult };
}

// Fused batch-norm / elementwise kernels (src/engine/kernels/batchnorm.ts, src/worker/diagnostics/kernelCheckBn.ts).
export interface Commands {
  kernelCheckBn: { args: { seed?: number; only?: string }; result: KernelCheckResult };
}

// The Learner vs the PyTorch referee, batch by batch (src/worker/diagnostics/stepParity.ts).
export interface Commands {
  learnerParity: {
    args: { files: WeightFile[] };
    result: StepParityResult;
  };
}

export type CommandName = keyof Commands;
export type ArgsOf<K extends CommandName> = Commands[K]['args'];
export type ResultOf<K extends CommandName> = Commands[K]['result'];

export type ToWorker = {
  [K in CommandName]: { id: number; name: K; args: ArgsOf<K> };
}[CommandName];

export type WorkerEvent =
  | { type: 'status'; message: string }
  | { type: 'deviceLost'; reason: string }
  | TrainEvent
  | RecoveryEvent
  | { type: 'importProgress'; done: number; of: number }
  | EngineEvent;

export type FromWorker =
  | { kind: 'reply'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string; noWebGPU?: boolean }
  | { kind: 'event'; event: WorkerEvent };
