// The diagnostics' commands (src/worker/diagnostics/): kernel checks, benchmarks and the
// Learner's step parity with the PyTorch referee. What they take and return is defined here
// only: the worker's code implements it, the page and the scripts read it.

export interface KernelCheckCase {
  name: string;
  /** max over outputs of |ours - cpu| / max(1, |cpu|) */
  maxRelErrorVsCpu: number;
  /** same metric, ours vs the stock webgpu kernels */
  maxRelErrorVsStock: number;
}

export interface KernelCheckResult {
  cases: KernelCheckCase[];
  /** WebGPU errors raised while the check ran (shader compile, bind group layout, ...). */
  gpuErrors: string[];
  /** tensors alive after the check minus before it (0 = no leak). */
  leakedTensors: number;
  /** Kernel calls that ran each wide (4x8 tile) autotune variant so far in this page. */
  wideVariantCalls?: Record<string, number>;
  /** Per overridden kernel: calls our programs ran vs handed to stock, so far in this page. */
  kernelCalls?: Record<string, { ours: number; stock: number }>;
  seconds: number;
}

export interface BenchArgs {
  quick: boolean;
  /** Comma list of sections to run: kernels, matmul, train (default: all). */
  only?: string;
  /** Turn autotuning off (every kernel runs its default variant). */
  noAutotune?: boolean;
  /** Also profile one ResNet-18 training step with our kernels (dispatches per tfjs kernel). */
  profile?: boolean;
}

export interface ProfileRow {
  kernel: string;
  calls: number;
  /** GPU time from timestamp queries; 0 when the adapter has none (SwiftShader). */
  kernelMs: number;
}

export interface KernelBenchRow {
  name: string;
  shape: string;
  gflopsOurs: number;
  gflopsStock: number;
}

export interface TrainStepRow {
  arch: string;
  size: number;
  bs: number;
  msOurs: number;
  msStockWebgpu: number;
  /** tfjs-webgl and tfjs-cpu in the same session; null when the backend could not run. */
  msWebgl?: number | null;
  msCpu?: number | null;
  errors?: string[];
}

export interface ReferenceRow {
  n: number;
  /** The plain register-tiled reference (referenceMatmul.ts). */
  gflopsReference: number;
  /** Our matmul (autotuned variant) on the same operands, timed right after. */
  gflopsOurs: number;
}

/** The autotuner's choices for this adapter and this session's timings. */
export interface AutotuneReport {
  adapter: string;
  choices: Record<string, string>;
  log: { cls: string; ms: Record<string, number>; chosen: string }[];
}

export interface BenchResult {
  kernels: KernelBenchRow[];
  /** The best GFLOP/s any of our matmul rows reached. */
  matmulBestGflops: number;
  /** Reference matmul vs ours at each size, and the best reference GFLOP/s. */
  reference: ReferenceRow[];
  referenceBestGflops: number;
  /** Autotune: adapter key, chosen variant per shape class, this session's timings. */
  autotune?: AutotuneReport;
  trainSteps: TrainStepRow[];
  profile?: {
    arch: string;
    size: number;
    bs: number;
    wallMs: number;
    rows: ProfileRow[];
    /** The same calls grouped by kernel and input shapes (which layers cost most). */
    byShape?: ProfileRow[];
  };
  seconds: number;
}

export interface StepParityResult {
  /** Per training batch: ours, the referee's. */
  losses: [number, number][];
  /** Largest |ours - referee| over every per-group LR of every batch. */
  maxLrDiff: number;
  /** Per epoch: valid loss and accuracy, ours and the referee's. */
  epochs: { validLoss: [number, number]; accuracy: [number, number] }[];
  /** The final tensor furthest from the referee's: max |diff| / max |value| of that tensor. */
  worstTensor: { key: string; rel: number };
  seconds: number;
}

export interface DataBenchArgs {
  size: number;
  bs: number;
  batches: number;
  /** 'tiny' (the cheapest model there is: the harshest comparison) or a torchvision ResNet name. */
  arch: string;
  /** 0 measures the pipeline alone. */
  trainSteps: number;
}

export interface DataBenchResult {
  size: number;
  bs: number;
  arch: string;
  backend: string;
  pipelineMsPerBatch: number;
  pipelineBatchesPerSecond: number;
  trainStepMs: number;
  /** Training-step time over pipeline time per batch: how many times faster the pipeline is. */
  ratio: number;
}
