// fastai's lesson-1 recipe as defaults, in one place for the CLI and the Train panel:
// vision_learner(dls, resnet, pretrained=True), lr_find(), fine_tune(1, valley), with the image size
// chosen by the machine (a software WebGPU adapter trains ResNet50 at 224 px far too slowly).

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
  /** fine_tune(epochs) */
  fineTune: number;
  /** fastai's Resize(size, method) item transform: its default, crop. */
  resize: 'crop';
  /** Cached body features for the frozen phase: off, since batch augmentations need the body. */
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

export function defaultRecipe(adapter: AdapterLike | undefined): Recipe {
  const base = {
    arch: 'resnet50-imagenet',
    pretrained: true,
    lrFind: true,
    fineTune: 1,
    resize: 'crop' as const,
    precompute: false,
  };
  if (!isSoftwareAdapter(adapter)) return { ...base, size: 224, bs: 64 }; // fastai: 224 px, bs 64
  return {
    ...base,
    size: 128,
    bs: 16,
    note:
      'software WebGPU adapter (no GPU): size 128 and bs 16 instead of fastai’s 224 and 64; ' +
      'pass --size 224 --bs 64 to match fastai',
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
