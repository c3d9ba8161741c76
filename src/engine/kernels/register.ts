// Thin registration of the Studio kernels into tfjs's webgpu backend. Each kernel function
// tries our GEMM-core program and hands anything it does not cover (NCHW, prelu, int32, odd
// broadcasting) to the stock kernel it replaced, so a switch can swap the two sets at any time
// and tfjs autodiff and optimizers keep working either way.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  Conv2DBackpropFilterProgram,
  Conv2DBackpropInputProgram,
  Conv2DProgram,
  convUniformData,
} from './conv2d';
import { type Activation, gemmUniformData } from './gemm';
import { biasKind, studioMatMul } from './matmul';

type TensorInfo = tf.TensorInfo;
type Args = {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WebGPUBackend;
  attrs: Record<string, unknown>;
};
type StudioKernel = (args: Args) => TensorInfo | null;

const ACTS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'];

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
  dilations: unknown = 1,
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    dilations as [number, number] | number,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

const isNHWC = (attrs: Record<string, unknown>) =>
  attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
// TODO: the scalar-channel conv paths (channels not a multiple of 4) hang SwiftShader's
// shader compiler (the matmul ones were fixed by dropping per-load guards); until they are
// reworked those convs (e.g. the RGB stem) use the stock kernels.
const vec4Channels = (ci: tf.backend_util.Conv2DInfo) =>
  ci.inChannels % 4 === 0 && ci.outChannels % 4 === 0;
const f32 = (...ts: (TensorInfo | undefined)[]) => ts.every((t) => !t || t.dtype === 'float32');

function conv2dForward(args: Args): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const { attrs, backend } = args;
  const activation = ((attrs.activation as string | undefined) ?? 'linear') as Activation;
  if (
    !x ||
    !filter ||
    preluActivationWeights ||
    !isNHWC(attrs) ||
    !f32(x, filter, bias) ||
    !ACTS.includes(activation)
  )
    return null;
  const ci = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
  if (!vec4Channels(ci)) return null;
  const bk = biasKind(bias, ci.outChannels);
  if (bk === null) return null;
  const dims = {
    batch: 1,
    M: ci.batchSize * ci.outHeight * ci.outWidth,
    N: ci.outChannels,
    K: ci.filterHeight * ci.filterWidth * ci.inChannels,
  };
  const program = new Conv2DProgram(ci, bk, activation === 'linear' ? null : activation);
  const uniforms = [
    ...gemmUniformData(dims, (attrs.leakyreluAlpha as number | undefined) ?? 0),
    ...convUniformData(ci),
  ];
  return backend.runWebGPUProgram(
    program,
    bias ? [x, filter, bias] : [x, filter],
    'float32',
    uniforms,
  );
}

function conv2dBackpropInput(args: Args): TensorInfo | null {
  const { dy, filter } = args.inputs;
  const { attrs, backend } = args;
  if (!dy || !filter || !isNHWC(attrs) || !f32(dy, filter)) return null;
  const ci = convInfo(attrs.inputShape as number[], filter.shape, attrs);
  // TODO: strided dgrad as implicit GEMM multiplies mostly zeros (3/4 at stride 2) and measured
  // 0.14 vs stock's 0.40 GFLOP/s; until a sub-pixel decomposition exists, stock does it.
  if (!vec4Channels(ci) || ci.strideHeight !== 1 || ci.strideWidth !== 1) return null;
  const dims = {
    batch: 1,
    M: ci.batchSize * ci.inHeight * ci.inWidth,
    N: ci.inChannels,
    K: ci.filterHeight * ci.filterWidth * ci.outChannels,
  };
  const uniforms = [...gemmUniformData(dims), ...convUniformData(ci)];
  return backend.runWebGPUProgram(
    new Conv2DBackpropInputProgram(ci),
    [dy, filter],
    'float32',
    uniforms,
  );
}

function conv2dBackpropFilter(args: Args): TensorInfo | null {
  const { x, dy } = args.inputs;
  const { attrs, backend } = args;
  if (!x || !dy || !isNHWC(attrs) || !f32(x, dy)) return null;
  const ci = convInfo(x.shape, attrs.filterShape as number[], attrs);
  if (!vec4Channels(ci)) return null;
  const dims = {
    batch: 1,
    M: ci.filterHeight * ci.filterWidth * ci.inChannels,
    N: ci.outChannels,
    K: ci.batchSize * ci.outHeight * ci.outWidth,
  };
  const uniforms = [...gemmUniformData(dims), ...convUniformData(ci)];
  return backend.runWebGPUProgram(
    new Conv2DBackpropFilterProgram(ci),
    [x, dy],
    'float32',
    uniforms,
  );
}

function matMul(args: Args): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { attrs, backend } = args;
  if (!a || !b || preluActivationWeights) return null;
  return studioMatMul(backend, {
    a,
    b,
    transposeA: Boolean(attrs.transposeA),
    transposeB: Boolean(attrs.transposeB),
    bias,
    activation: attrs.activation as string | undefined,
    leakyreluAlpha: attrs.leakyreluAlpha as number | undefined,
  });
}

/** Every kernel we override, by tfjs kernel name. */
const STUDIO_KERNELS: Record<string, StudioKernel> = {
  [tf.Conv2D]: conv2dForward,
  [tf.FusedConv2D]: conv2dForward,
  [tf.Conv2DBackpropInput]: conv2dBackpropInput,
  [tf.Conv2DBackpropFilter]: conv2dBackpropFilter,
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
};

export const STUDIO_KERNEL_NAMES = Object.keys(STUDIO_KERNELS);

const stock = new Map<string, tf.KernelConfig>();
let enabled = false;

function ours(name: string, stockConfig: tf.KernelConfig): tf.KernelConfig {
  const fn = STUDIO_KERNELS[name];
  const stockFn = stockConfig.kernelFunc;
  return {
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ((args: Args) => fn(args) ?? stockFn(args as never)) as unknown as tf.KernelFunc,
  };
}

/** Remembers the stock configs once, then installs ours. Call after the webgpu backend exists. */
export function registerStudioKernels(): void {
  if (stock.size === 0) {
    for (const name of STUDIO_KERNEL_NAMES) {
      const config = tf.getKernel(name, 'webgpu');
      if (!config) throw new Error(`tfjs webgpu has no stock kernel '${name}' to replace`);
      stock.set(name, config);
    }
  }
  setStudioKernels(true);
}

/** Switches between the Studio kernels (true) and the stock tfjs-webgpu ones (false). */
export function setStudioKernels(on: boolean): void {
  if (stock.size === 0) throw new Error('registerStudioKernels() must run first');
  if (on === enabled) return;
  for (const [name, config] of stock) {
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel(on ? ours(name, config) : config);
  }
  enabled = on;
}

export function studioKernelsEnabled(): boolean {
  return enabled;
}
