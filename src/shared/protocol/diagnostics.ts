// The diagnostics' commands (src/worker/diagnostics/): kernel checks, benchmarks and the
// Learner's step parity with the PyTorch referee. What they take and return is defined here
// only: the worker's code implements it, the page and the scripts read it.
import type { EngineChoice } from '../engines';

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

/** `bench-recipe`: one ResNet50 step of each phase fastai's recipe runs (benchRecipe.ts). */
export interface BenchRecipeArgs {
  /** Input sizes, px (default 128, 224). */
  sizes: number[];
  bs: number;
  /** Also time `frozen` and `unfrozen` on these stock engines: 'webgpu' (tfjs's own kernels), 'webgl'. */
  ref: string[];
  /** Sizes the reference engines run (default: the first size only: they are slow). */
  refSizes?: number[];
  /** The quick matmul bench (256 and 512 only) for the best-matmul figure. */
  quick?: boolean;
}

/** Time and work of one profiled kernel group (a kernel family, or a kernel at one shape). */
export interface RecipeKernelRow extends ProfileRow {
  /** Implicit GEMM dims of conv/matmul kernels (M N K). */
  dims?: string;
  /** Forward-equivalent useful FLOPs of these calls (conv/matmul only). */
  flops?: number;
}

/** One timed step (after a warm-up one); the GPU fields are null off webgpu (wasm, webgl). */
export interface RecipeStepRow {
  phase: 'frozen' | 'frozen-nobn' | 'unfrozen' | 'valid' | 'precompute';
  size: number;
  bs: number;
  /** 'webgpu': the studio's kernels; 'stock-webgpu' / 'webgl': references; 'wasm': the CPU engine. */
  engine: 'webgpu' | 'stock-webgpu' | 'webgl' | 'wasm';
  wallMs: number;
  /** Sum of the profiled step's kernel times (timestamp queries); null when the adapter has none. */
  gpuMs: number | null;
  /** GPU->CPU readbacks in the timed step, and the ms the JS thread waited in them. */
  syncs: number | null;
  syncMs: number | null;
  /** JS between dispatches: wall minus the readback waits (the thread issuing work). */
  jsMs: number | null;
  /** WebGPU programs dispatched in the timed step. */
  dispatches: number | null;
  /** Useful conv + matmul FLOPs of the step (recipeFlops.ts), and FLOPs / wall. */
  flops: number;
  gflops: number;
  /** gflops / the run's best matmul GFLOP/s. */
  ofBestMatmul: number;
  families?: RecipeKernelRow[];
  /** The 15 costliest kernel shapes. */
  shapes?: RecipeKernelRow[];
}

export interface BenchRecipeResult extends BenchRecipeArgs {
  adapter: string;
  /** Our best matmul and the register-tiled reference, measured at the start of this run. */
  matmulBestGflops: number;
  referenceBestGflops: number;
  /** False when the adapter has no timestamp queries: gpuMs and kernel ms are then null / 0. */
  gpuTimed: boolean;
  steps: RecipeStepRow[];
  /** The engine the studio picks for the body precompute (choose.ts), per size, and why. */
  precompute: {
    size: number;
    engine: EngineChoice['engine'];
    reason: string;
    webgpuOverChosen: number;
  }[];
  /** Reference engines that could not run, and why. */
  errors: string[];
  seconds: number;
}
