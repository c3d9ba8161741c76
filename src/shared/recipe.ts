// fastai's lesson-1 recipe as defaults, in one place for the CLI and the Train panel:
// vision_learner(dls, resnet, pretrained=True), lr_find(), fine_tune(1, valley), with the image size
// chosen by the machine (a software WebGPU adapter trains ResNet50 at 224 px far too slowly;
// without WebGPU only the head trains, src/engine/fallback.ts), and
// the arithmetic that turns measured batches (the worker's estimateStep) into the run's time.
import type { StepTiming } from './protocol';

/** The adapter fields the choice reads (protocol/models.ts AdapterInfo has them all). */
export interface AdapterLike {
  isFallbackAdapter: boolean;
  vendor?: string;
  architecture?: string;
  description?: string;
}

export interface Recipe {
  arch: string;
  pretrained: boolean;
  size: number;
  bs: number;
  lrFind: boolean;
  /** fine_tune(epochs), or without WebGPU fit_one_cycle(epochs) of the head (the body cannot
   * train there). */
  policy: 'fine_tune' | 'one_cycle';
  epochs: number;
  /** fastai's Resize(size, method) item transform: its default, crop. */
  resize: 'crop';
  /** Cached body features for lr_find and fine_tune's frozen epoch (computed once for both): off
   * where the GPU is real (batch augmentations need the body), on a software adapter (the body's
   * passes are the cost: lr_find alone would run it up to 100 times). */
  precompute: boolean;
  /** Why a default differs from fastai's, for the report. */
  note?: string;
}

/** SwiftShader (Chromium without a GPU) or any adapter the browser calls a fallback (CPU) one. */
export function isSoftwareAdapter(a: AdapterLike | undefined): boolean {
  if (!a) return false;
  const names = `${a.vendor ?? ''} ${a.architecture ?? ''} ${a.description ?? ''}`;
  return a.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(names);
}

/** The worker runs on its fallback engine, not WebGPU (WorkerInfo.engine). */
export const noWebGPU = (info: { engine?: string } | undefined) =>
  (info?.engine ?? 'webgpu') !== 'webgpu';

/** `noWebGPU`: the worker runs on its fallback engine (WorkerInfo.engine is not webgpu). */
export function defaultRecipe(adapter: AdapterLike | undefined, noWebGPU = false): Recipe {
  const base = {
    arch: 'resnet50-imagenet',
    pretrained: true,
    lrFind: true,
    policy: 'fine_tune' as const,
    epochs: 1,
    resize: 'crop' as const,
    precompute: false,
  };
  if (noWebGPU)
    return {
      ...base,
      size: 128,
      bs: 16,
      policy: 'one_cycle',
      precompute: true,
      note:
        'no WebGPU (tfjs on the CPU): fit_one_cycle(1) of the head on precomputed body features ' +
        'at size 128 and bs 16 instead of fine_tune(1) at 224 and 64: training the body needs WebGPU',
    };
  if (!isSoftwareAdapter(adapter)) return { ...base, size: 224, bs: 64 }; // fastai: 224 px, bs 64
  return {
    ...base,
    size: 128,
    bs: 16,
    precompute: true,
    note:
      'software WebGPU adapter (no GPU): size 128 and bs 16 instead of fastai’s 224 and 64, ' +
      'lr_find and the frozen epoch on precomputed body features; pass --size 224 --bs 64 ' +
      '--precompute false ' +
      'to match fastai',
  };
}

/** vision_learner is pretrained unless told otherwise; the bundled ResNet50 is the arch that has
 * ImageNet weights. `scratch` or an explicit `pretrained: false` wins. */
export function pretrainedDefault(
  arch: string,
  pretrained: boolean | undefined,
  scratch: boolean,
): boolean | undefined {
  if (scratch) return false;
  if (pretrained !== undefined) return pretrained;
  return arch === 'resnet50-imagenet' ? true : undefined;
}

// ************* the run's time, before it starts *************

/** lr_find's iterations (fastai num_it): it stops earlier when the loss diverges. */
export const LR_FIND_ITERS = 100;

/** The run an estimate is for: lr_find, then fine_tune(epochs). A fit of the frozen model
 * alone (the recipe without WebGPU) is `epochs` 0 and `frozenEpochs` its epochs. */
export interface RunPlan {
  lrFind: boolean;
  epochs: number;
  precompute: boolean;
  /** Default 1 (fine_tune's); with precompute the body runs once however many. */
  frozenEpochs?: number;
}

/** Milliseconds per part of the run; `lrFindMs` is an upper bound (see LR_FIND_ITERS). */
export interface RunEstimate {
  lrFindMs: number;
  frozenMs: number;
  unfrozenMs: number;
  totalMs: number;
}

/** lr_find trains frozen batches; fine_tune trains one frozen epoch, then `epochs` unfrozen ones,
 * each followed by validation. With precompute the body's forward over both sets runs once, in
 * lr_find if it runs (fine_tune's frozen epoch reuses the features), and the head's steps on
 * cached features are taken as negligible. */
export function estimateRun(t: StepTiming, p: RunPlan): RunEstimate {
  const valid = t.nValid * t.validMs;
  const features = (t.nTrain + t.nValid) * t.validMs;
  const lrFindMs = !p.lrFind ? 0 : p.precompute ? features : LR_FIND_ITERS * t.frozenMs;
  const frozenMs = p.precompute
    ? p.lrFind
      ? 0
      : features
    : (p.frozenEpochs ?? 1) * (t.nTrain * t.frozenMs + valid);
  const unfrozenMs = p.epochs * (t.nTrain * (t.unfrozenMs ?? t.frozenMs) + valid);
  return { lrFindMs, frozenMs, unfrozenMs, totalMs: lrFindMs + frozenMs + unfrozenMs };
}
