// Thin registration of the Studio kernels into tfjs's webgpu backend. Each kernel function
// tries our GEMM-core program and hands anything it does not cover (NCHW, prelu, int32, odd
// broadcasting) to the stock kernel it replaced, so a switch can swap the two sets at any time
// and tfjs autodiff and optimizers keep working either way.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  Conv2DBackpropFilterProgram,
  Conv2DBackpropInputProgram,
  Conv2DFewChannelsProgram,
  Conv2DProgram,
  convUniformData,
  fewChannels,
  dgradDims,
  dgradPhases,
  dgradUniformData,
  pad4,
} from './conv2d';
import { type Activation, gemmUniformData, storedAsF32 } from './gemm';
import { biasKind, studioMatMul } from './matmul';
import { runTuned, tunedTileN } from './autotune';
import { binaryVec4 } from './binary';
import { maxPoolGrad } from './pool';

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

function conv2dForward(args: Args): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const { attrs, backend } = args;
  const activation = ((attrs.activation as string | undefined) ?? 'linear') as Activation;
  if (
    !x ||
    !filter ||
    preluActivationWeights ||
    !isNHWC(attrs) ||
    !storedAsF32(backend, x, filter, bias) ||
    !ACTS.includes(activation)
  )
    return null;
  const ci = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
  const bk = biasKind(bias, ci.outChannels);
  if (bk === null) return null;
  const dims = {
    batch: 1,
    M: ci.batchSize * ci.outHeight * ci.outWidth,
    N: ci.outChannels,
    K: ci.filterHeight * ci.filterWidth * pad4(ci.inChannels),
  };
  const act = activation === 'linear' ? null : activation;
  const program = fewChannels(ci)
    ? new Conv2DFewChannelsProgram(ci, bk, act)
    : new Conv2DProgram(ci, bk, act, tunedTileN() === 8);
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

/** tfjs does not check that dy matches the conv's output shape; stock reads it by its own shape. */
const sameShape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function conv2dBackpropInput(args: Args): TensorInfo | null {
  const { dy, filter } = args.inputs;
  const { attrs, backend } = args;
  if (!dy || !filter || !isNHWC(attrs) || !storedAsF32(backend, dy, filter)) return null;
  const ci = convInfo(attrs.inputShape as number[], filter.shape, attrs);
  if (!sameShape(dy.shape, ci.outShape)) return null;
  // Strided: one dispatch per output phase (sub-pixel decomposition), all into one dx.
  const out = backend.makeTensorInfo(ci.inShape, 'float32');
  for (const phase of dgradPhases(ci)) {
    const uniforms = [...gemmUniformData(dgradDims(ci, phase)), ...dgradUniformData(ci, phase)];
    const program = new Conv2DBackpropInputProgram(ci, phase, tunedTileN() === 8);
    backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms, out);
  }
  return out;
}

function conv2dBackpropFilter(args: Args): TensorInfo | null {
  const { x, dy } = args.inputs;
  const { attrs, backend } = args;
  if (!x || !dy || !isNHWC(attrs) || !storedAsF32(backend, x, dy)) return null;
  const ci = convInfo(x.shape, attrs.filterShape as number[], attrs);
  if (!sameShape(dy.shape, ci.outShape)) return null;
  const dims = {
    batch: 1,
    M: ci.filterHeight * ci.filterWidth * pad4(ci.inChannels),
    N: ci.outChannels,
    K: ci.batchSize * ci.outHeight * ci.outWidth,
  };
  const uniforms = [...gemmUniformData(dims), ...convUniformData(ci)];
  return backend.runWebGPUProgram(
    new Conv2DBackpropFilterProgram(ci, tunedTileN() === 8),
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
  // Same-shape / scalar-operand float32 elementwise ops (optimizer updates, gradient sums).
  [tf.Add]: ({ inputs, backend }) => binaryVec4(backend, 'add', inputs.a, inputs.b),
  [tf.Sub]: ({ inputs, backend }) => binaryVec4(backend, 'sub', inputs.a, inputs.b),
  [tf.Multiply]: ({ inputs, backend }) => binaryVec4(backend, 'mul', inputs.a, inputs.b),
  [tf.MaxPoolGrad]: ({ inputs, backend, attrs }) => maxPoolGrad(backend, inputs, attrs),
};

export const STUDIO_KERNEL_NAMES = Object.keys(STUDIO_KERNELS);

const stock = new Map<string, tf.KernelConfig>();
let enabled = false;

/** Per kernel name: calls our programs ran vs calls handed to the stock kernel (fallbacks). */
const calls: Record<string, { ours: number; stock: number }> = {};

function ours(name: string, stockConfig: tf.KernelConfig): tf.KernelConfig {
  const fn = STUDIO_KERNELS[name];
  const stockFn = stockConfig.kernelFunc;
  return {
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ((args: Args) => {
      const c = (calls[name] ??= { ours: 0, stock: 0 });
      const out = runTuned(name, args, fn); // autotune.ts: variant per adapter + shape
      if (out) {
        c.ours++;
        return out;
      }
      c.stock++;
      return stockFn(args as never);
    }) as unknown as tf.KernelFunc,
  };
}

/** How often each overridden kernel ran ours vs fell back to stock since the last reset. */
export function studioKernelCalls(): Record<string, { ours: number; stock: number }> {
  return structuredClone(calls);
}

export function resetStudioKernelCalls(): void {
  for (const k of Object.keys(calls)) delete calls[k];
}

/**
 * Remembers the stock configs and installs ours, once; later calls (a new device after a loss)
 * change nothing: tfjs's kernel registry outlives the backend, so the switch keeps its state.
 * Call after the webgpu backend exists.
 */
export function registerStudioKernels(): void {
  if (stock.size > 0) return;
  for (const name of STUDIO_KERNEL_NAMES) {
    const config = tf.getKernel(name, 'webgpu');
    if (!config) throw new Error(`tfjs webgpu has no stock kernel '${name}' to replace`);
    stock.set(name, config);
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
