// The Learner session's commands and events (src/worker/handlers/session.ts implements them).
import type { LrSlice, SuggestionName } from '../schedule';
import type { AugPreset, ResizeMethod } from './data';

export interface LearnSetupArgs {
  /** Small built-in nets, or a ResNet of the models zoo (random init) with fastai's head. */
  arch?: string;
  /** The procedural demo set, or the folder imported by the Data panel / `import`. */
  data?: 'demo' | 'imported';
  aug?: AugPreset;
  size?: number;
  bs?: number;
  /** Training / validation batches per epoch of the procedural demo dataset. */
  nTrain?: number;
  nValid?: number;
  seed?: number;
  labelSmoothing?: boolean;
  /** ResNets: start from ImageNet weights (arch resnet50-imagenet: the bundled Keras ResNet50),
   * frozen but for the head, as fastai's vision_learner(pretrained=True). */
  pretrained?: boolean;
  /** 'current': the body of the model loaded by the Model commands (models/session.ts). */
  body?: 'current' | 'arch';
  /** Item transform of imported images: fastai's Resize(size, method) (fastai defaults to crop),
   * or RandomResizedCrop(size, min_scale) (a random crop per epoch on train, centre on valid). */
  resize?: ResizeChoice;
  /** RandomResizedCrop's min_scale (fastai: 0.08). */
  minScale?: number;
  /** fastai opt_func: Adam (default) or SGD; `mom`: SGD's momentum (0: plain steps), Adam's beta1. */
  opt?: OptName;
  mom?: number;
}
export type ResizeChoice = ResizeMethod | 'random_resized_crop';

/** The decoded pixels the loaders read (src/data/sourceSize.ts): the images were decoded with
 * `side` px on their long or short side (or kept whole when smaller). */
export interface SourcePixels {
  side: number;
  of: 'long' | 'short';
  images: number;
  minShortSide: number;
  medianShortSide: number;
  /** Images below the training size on the side the transform fills: upsampled in training. */
  belowSize: number;
  /** uint8 RGB bytes held for them. */
  bytes: number;
  /** Memory cap reached, or files that could not be read again. */
  warnings: string[];
}
export type OptName = 'adam' | 'sgd';
export interface LearnSetupResult {
  arch: string;
  vocab: string[];
  groups: number;
  nParams: number;
  pretrained: boolean;
  /** Frozen layer groups (fastai freeze: all but the head when pretrained). */
  frozenGroups: number;
  /** Always false: training is f32; why, for the report. */
  mixedPrecision: false;
  mixedPrecisionReason: string;
  /** Imported data: the pixels training reads. */
  source?: SourcePixels;
}

export type FitPolicy = 'one_cycle' | 'fit' | 'sgdr' | 'fine_tune';
export interface FitArgs {
  policy?: FitPolicy;
  epochs: number;
  /** A number, or fastai's `slice(hi)` / `slice(lo, hi)` for discriminative LRs (not fine_tune,
   * whose base_lr is one number: it makes its own slice). */
  lr?: number | LrSlice;
  /** sgdr only. */
  cycleLen?: number;
  cycleMult?: number;
  /** fastai MixUp: true is MixUp(0.4), a number its alpha. */
  mixup?: boolean | number;
  /** Keep the best epoch's weights (by valid_loss). */
  saveBest?: boolean;
  /** Progressive resizing: continue with the same weights at this image size. */
  size?: number;
  /** Weight decay (decoupled, as fastai's Adam); kept for later fits. */
  wd?: number;
  /** The optimizer from this fit on (a change starts its state afresh), as LearnSetupArgs. */
  opt?: OptName;
  mom?: number;
  /** fit_one_cycle's (and fine_tune's) momentum schedule: start, middle, end. */
  moms?: [number, number, number];
  /** While the body is frozen, train the head on cached body features (fastai v0.7
   * precompute): fine_tune's frozen phase, or any policy on a frozen model. */
  precompute?: boolean;
  /** Snapshot ensemble: keep the weights (on the CPU) at the end of each SGDR cycle (true;
   * sgdr only) or of these epochs (0-based, as the epoch table; not fine_tune). */
  snapshots?: boolean | number[];
}

/** One row of fastai's epoch table. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  validLoss: number;
  metrics: Record<string, number>;
  seconds: number;
}

export interface FitResult {
  rows: EpochRow[];
  stopped: boolean;
  diverged?: { lr: number; iter: number; loss: number };
  seconds: number;
  /** saveBest: the row (index in `rows`) whose weights the model holds now. */
  kept?: number;
  /** The image size the fit trained at. */
  size: number;
  /** A new `size` on imported data: the pixels read at it. */
  source?: SourcePixels;
  /** `snapshots`: the epochs whose weights the ensemble keeps. */
  snapshots?: number[];
}
export interface LrFindArgs {
  startLr?: number;
  endLr?: number;
  numIt?: number;
  suggest?: SuggestionName[];
  /** Sweep the head on cached body features (the frozen model's body runs once; fastai v0.7
   * precompute), kept for fine_tune's frozen epoch when it precomputes too. */
  precompute?: boolean;
}
export interface LrFindResult {
  numIt: number;
  lrs: number[];
  losses: number[];
  suggestions: Record<string, { lr: number; point: [number, number] }>;
}
/** `suggestion`: the first suggestion asked for (valley by default), the one that fills the lr. */
export type LrFindCmdResult = LrFindResult & {
  suggestion: number;
  /** 'precompute': the sweep ran on cached body features; 'exact': through the whole model. */
  mode: 'exact' | 'precompute';
};
/** estimateStep: which phases to time (the unfrozen one costs two more training batches). */
export interface EstimateStepArgs {
  /** Also time a batch with the body unfrozen (fine_tune's second phase); default true. */
  unfrozen?: boolean;
}
/** Wall ms per batch of the set-up learner, each after a warm-up batch (pipelines compile,
 * kernels tune, the validation engine is chosen), data loading included. */
export interface StepTiming {
  /** A training batch with the body frozen (lr_find, fine_tune's frozen epoch). */
  frozenMs: number;
  /** A training batch with the body unfrozen (fine_tune's later epochs); absent if not timed. */
  unfrozenMs?: number;
  /** A validation batch (forward only, on the engine validation uses). */
  validMs: number;
  /** The first training batch (the warm-up), paid once per run. */
  warmupMs: number;
  /** Batches per epoch at the learner's size and batch size. */
  nTrain: number;
  nValid: number;
}

/** learn.tta() over the validation set: the learner's metrics without and with TTA. */
export interface TtaResult {
  n: number;
  plain: Record<string, number>;
  tta: Record<string, number>;
}
/** The snapshot ensemble on the validation set: the learner's metrics with its own (final)
 * weights, with each snapshot's, and with the mean of the snapshots' activated outputs. */
export interface EnsembleResult {
  n: number;
  single: Record<string, number>;
  members: { epoch: number; iter: number; metrics: Record<string, number> }[];
  ensemble: Record<string, number>;
}
export interface LearnStateResult {
  /** FNV-1a over the bytes of every param and buffer: equal iff bit-identical. */
  weightsHash: string;
  /** Same over the optimizer state tensors (empty string if none). */
  optHash: string;
  numTensors: number;
  /** The session's history: training iterations and epochs over all its fits. */
  iterations: number;
  epochs: number;
}
/** fastai freeze()/unfreeze() on the session's model; null: no learner. */
export type FreezeResult = { groups: number; frozenGroups: number } | null;

/** One training batch, as the UI's charts and ETA see it. */
export interface BatchRecord {
  iter: number;
  of: number;
  epoch: number;
  loss: number;
  smoothLoss: number;
  lr: number;
  mom: number;
  /** Seconds since this fit started, for the UI's ETA and images/s. */
  elapsed: number;
  /** Items in this batch. */
  bs: number;
}

export type TrainEvent =
  | ({ type: 'trainBatch' } & BatchRecord)
  | { type: 'trainEpoch'; row: EpochRow & { numTensors: number } };

export type RecoveryEvent =
  | { type: 'status'; message: string }
  /** The run went back to its last checkpoint: the UI keeps only this many batch/epoch records. */
  | {
      type: 'trainRecovered';
      cause: 'deviceLost' | 'oom';
      keepBatches: number;
      keepEpochs: number;
      epoch: number;
      bs: number;
    };

// ************* the session's history across fits (session archives, autosave) *************

export interface HistoryBatch {
  /** Global training iteration of the session (0, 1, 2, ... across fits). */
  iter: number;
  /** Index of the fit (in `fits`) and epoch within it. */
  fit: number;
  epoch: number;
  loss: number;
  smoothLoss: number;
  lr: number;
  mom: number;
}
export interface HistoryEpoch extends EpochRow {
  fit: number;
}
export interface FitRecord {
  /** The fit command's arguments (policy, epochs, lr, ...). */
  args: Record<string, unknown>;
  /** Global iteration the fit started at. */
  startIter: number;
  epochsDone: number;
  /** Frozen layer groups and image size at its start (the reproduction script replays them). */
  frozenGroups?: number;
  size?: number;
}
export interface HistoryData {
  batches: HistoryBatch[];
  epochs: HistoryEpoch[];
  fits: FitRecord[];
}

// ************* reliability *************

export interface DebugFaultArgs {
  /** Destroy the GPU device right after this training iteration (1-based) of the next fit. */
  destroyAfterIter?: number;
  /** The next `times` training steps with more than `aboveBs` items fail as out of memory. */
  oom?: { aboveBs: number; times: number };
}

export interface MemStats {
  numTensors: number;
  numBytes: number;
  /** webgpu backend: bytes in live tensors' GPU buffers, and all buffers it holds (pooled too). */
  numBytesInGPU?: number;
  numBytesInGPUAllocated?: number;
  /** Chrome's performance.memory where it exists (not in every worker). */
  jsHeapUsed?: number;
}
