import { describe, expect, it } from 'vitest';
import {
  defaultRecipe,
  isSoftwareAdapter,
  noWebGPU,
  pretrainedDefault,
} from '../../src/shared/recipe';

const GPU = {
  isFallbackAdapter: false,
  vendor: 'nvidia',
  architecture: 'ampere',
  description: 'NVIDIA GeForce RTX 3060',
};
const SWIFTSHADER = {
  isFallbackAdapter: false,
  vendor: 'google',
  architecture: 'swiftshader',
  description: 'SwiftShader Device (Subzero)',
};

describe('defaultRecipe', () => {
  it("is fastai's lesson 1 on a hardware adapter: pretrained ResNet50, 224 px, bs 64, lr_find, fine_tune(1)", () => {
    expect(defaultRecipe(GPU)).toEqual({
      arch: 'resnet50-imagenet',
      pretrained: true,
      size: 224,
      bs: 64,
      lrFind: true,
      policy: 'fine_tune',
      epochs: 1,
      resize: 'crop',
      precompute: false,
    });
  });
  it('shrinks size and bs on a software adapter and says why', () => {
    for (const a of [SWIFTSHADER, { ...GPU, isFallbackAdapter: true }]) {
      const r = defaultRecipe(a);
      expect([r.size, r.bs, r.arch, r.pretrained, r.lrFind]).toEqual([
        128,
        16,
        'resnet50-imagenet',
        true,
        true,
      ]);
      expect(r.note).toMatch(/software WebGPU adapter.*--size 224/);
    }
  });
  it('without WebGPU: fit_one_cycle of the head on precomputed features, and says why', () => {
    const r = defaultRecipe(undefined, noWebGPU({ engine: 'wasm' }));
    expect([r.size, r.bs, r.policy, r.epochs, r.precompute]).toEqual([
      128,
      16,
      'one_cycle',
      1,
      true,
    ]);
    expect(r.note).toMatch(/no WebGPU.*training the body needs WebGPU/);
    expect(noWebGPU({ engine: 'webgpu' })).toBe(false);
    expect(noWebGPU(undefined)).toBe(false);
  });
  it('treats an unknown adapter as hardware', () => {
    expect(defaultRecipe(undefined).size).toBe(224);
    expect(isSoftwareAdapter(undefined)).toBe(false);
    expect(isSoftwareAdapter({ isFallbackAdapter: false, architecture: 'llvmpipe' })).toBe(true);
  });
});

describe('pretrainedDefault', () => {
  it('makes resnet50-imagenet pretrained unless told otherwise, as vision_learner', () => {
    expect(pretrainedDefault('resnet50-imagenet', undefined, false)).toBe(true);
    expect(pretrainedDefault('resnet50-imagenet', false, false)).toBe(false);
    expect(pretrainedDefault('resnet50-imagenet', undefined, true)).toBe(false);
    expect(pretrainedDefault('resnet50-imagenet', true, true)).toBe(false);
  });
  it("leaves other arches to the session's default, and honours an explicit flag", () => {
    expect(pretrainedDefault('tiny-bn-cnn', undefined, false)).toBeUndefined();
    expect(pretrainedDefault('resnet18', true, false)).toBe(true);
  });
});
