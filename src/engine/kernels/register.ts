// Thin registration of the Studio kernels into tfjs's webgpu backend. Each kernel function
// tries our GEMM-core program and hands anything it does not cover (NCHW, prelu, int32, odd
// broadcasting) to the stock kernel it replaced, so a switch can swap the two sets at any time
// and tfjs autodiff and optimizers keep working either way.
import * as tf from '@tensorflow/tfjs';
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
import type { AdapterInfo } from '../../shared/protocol';
import { activationOf, type GemmVariant, gemmUniformData, storedAsF32 } from './gemm';
import { biasKind, studioMatMul } from './matmul';
import { Autotuner, SOFTWARE_TUNING_BUDGET_MS, type KernelArgs } from './autotune';
import { isSoftwareAdapter } from '../../shared/recipe';
import { binaryVec4 } from './binary';
import { maxPoolGrad } from './pool';
import { adapterKey } from './selfTestVerdict';

type TensorInfo = tf.TensorInfo;
type Args = KernelArgs;
/** A kernel function on the GEMM core takes the variant the tuner picked; others ignore it. */
type StudioKernel = (args: Args, variant: GemmVariant) => TensorInfo | null;

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

function conv2dForward(args: Args, variant: GemmVariant): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const { attrs, backend } = args;
  const activation = activationOf(attrs.activation);
  if (
    !x ||
    !filter ||
    preluActivationWeights ||
    !isNHWC(attrs) ||
    !storedAsF32(backend, x, filter, bias) ||
    !activation
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
    ? new Conv2DFewChannelsProgram(ci, bk, act, variant)
    : new Conv2DProgram(ci, bk, act, variant);
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

function conv2dBackpropInput(args: Args, variant: GemmVariant): TensorInfo | null {
  const { dy, filter } = args.inputs;
  const { attrs, backend } = args;
  if (!dy || !filter || !isNHWC(attrs) || !storedAsF32(backend, dy, filter)) return null;
  const ci = convInfo(attrs.inputShape as number[], filter.shape, attrs);
  if (!sameShape(dy.shape, ci.outShape)) return null;
  // Strided: one dispatch per output phase (sub-pixel decomposition), all into one dx.
  const out = backend.makeTensorInfo(ci.inShape, 'float32');
  for (const phase of dgradPhases(ci)) {
    const uniforms = [...gemmUniformData(dgradDims(ci, phase)), ...dgradUniformData(ci, phase)];
    const program = new Conv2DBackpropInputProgram(ci, phase, variant);
    backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms, out);
  }
  return out;
}

function conv2dBackpropFilter(args: Args, variant: GemmVariant): TensorInfo | null {
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
    new Conv2DBackpropFilterProgram(ci, variant),
    [x, dy],
    'float32',
    uniforms,
  );
}

function matMul(args: Args, variant: GemmVariant): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { attrs, backend } = args;
  if (!a || !b || preluActivationWeights) return null;
  return studioMatMul(
    backend,
    {
      a,
      b,
      transposeA: Boolean(attrs.transposeA),
      transposeB: Boolean(attrs.transposeB),
      bias,
      activation: attrs.activation as string | undefined,
      leakyreluAlpha: attrs.leakyreluAlpha as number | undefined,
    },
    variant,
  );
}

/** Every kernel we override, by tfjs kernel name (the fused batch norm is not one: BN_KERNEL). */
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

const STUDIO_KERNEL_NAMES = Object.keys(STUDIO_KERNELS);

/** The fused batch norm (batchnorm.ts) by the name the self-test and its routing use. */
export const BN_KERNEL = 'StudioBatchNorm';

/** The registration: the stock configs ours replace, the tuner, the switch, the call counts. */
interface Registration {
  stock: Map<string, tf.KernelConfig>;
  tuner: Autotuner;
  enabled: boolean;
  /** Per kernel name: calls our programs ran vs calls handed to the stock kernel (fallbacks). */
  calls: Record<string, { ours: number; stock: number }>;
  /** Kernels the self-test refused on this adapter: stock tfjs runs them (selfTestVerdict.ts). */
  routed: Set<string>;
  /** Test hook: this kernel's output is zeroed (the all-zero gradients some GPUs give). */
  broken?: string;
}
let reg: Registration | undefined;

function registered(): Registration {
  if (!reg) throw new Error('registerStudioKernels() must run first');
  return reg;
}

function ours(name: string, stockConfig: tf.KernelConfig, r: Registration): tf.KernelConfig {
  const fn = STUDIO_KERNELS[name];
  const stockFn = stockConfig.kernelFunc;
  return {
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ((args: Args) => {
      const c = (r.calls[name] ??= { ours: 0, stock: 0 });
      const variant = r.tuner.variantFor(name, args); // autotune.ts: per adapter + shape
      const out = variant.stock || r.routed.has(name) ? null : fn(args, variant);
      if (out) {
        c.ours++;
        return r.broken === name ? zeroed(out, args.backend, r) : out;
      }
      c.stock++;
      return stockFn(args as never);
    }) as unknown as tf.KernelFunc,
  };
}

/** `out` times 0 on the stock Multiply kernel (a kernel function may call another directly). */
function zeroed(out: TensorInfo, backend: Args['backend'], r: Registration): TensorInfo {
  const zero = backend.makeTensorInfo([], 'float32', new Float32Array([0]));
  const mul = r.stock.get(tf.Multiply)!.kernelFunc;
  const y = mul({ inputs: { a: out, b: zero }, backend, attrs: {} }) as TensorInfo;
  backend.disposeData(out.dataId);
  backend.disposeData(zero.dataId);
  return y;
}

/** How often each overridden kernel ran ours vs fell back to stock since the last reset. */
export function studioKernelCalls(): Record<string, { ours: number; stock: number }> {
  return structuredClone(registered().calls);
}

export function resetStudioKernelCalls(): void {
  const { calls } = registered();
  for (const k of Object.keys(calls)) delete calls[k];
}

/** The tuner the registered kernels read their variants from (benchmarks and checks drive it). */
export function studioAutotuner(): Autotuner {
  return registered().tuner;
}

/** The tuner if the studio kernels are registered (not on tfjs-cpu, e.g. in unit tests). */
export const registeredTuner = (): Autotuner | undefined => reg?.tuner;

/**
 * Remembers the stock configs and installs ours, once, with a tuner whose choices are kept for
 * `adapter`; later calls (a new device after a loss) change nothing: tfjs's kernel registry
 * outlives the backend, so the switch keeps its state. Call after the webgpu backend exists.
 */
export function registerStudioKernels(adapter?: AdapterInfo): void {
  if (reg) return;
  const stock = new Map<string, tf.KernelConfig>();
  for (const name of STUDIO_KERNEL_NAMES) {
    const config = tf.getKernel(name, 'webgpu');
    if (!config) throw new Error(`tfjs webgpu has no stock kernel '${name}' to replace`);
    stock.set(name, config);
  }
  reg = {
    stock,
    tuner: new Autotuner(
      `autotune-v2:${adapterKey(adapter)}`,
      isSoftwareAdapter(adapter) ? SOFTWARE_TUNING_BUDGET_MS : Infinity,
    ),
    enabled: false,
    calls: {},
    routed: new Set(),
  };
  setStudioKernels(true);
}

/** Every kernel the self-test checks and may route to stock: the overridden ones and the BN. */
export const STUDIO_KERNEL_LIST: readonly string[] = [...STUDIO_KERNEL_NAMES, BN_KERNEL];

/** Runs these kernels on stock tfjs from now on (the rest stay ours while the switch is on); a
 * routed call counts as a stock call in `studioKernelCalls`. */
export function routeToStock(names: readonly string[]): void {
  const r = registered();
  const unknown = names.filter((n) => !STUDIO_KERNEL_LIST.includes(n));
  if (unknown.length) throw new Error(`no Studio kernel named ${unknown.join(', ')}`);
  r.routed = new Set(names);
}

export const routedToStock = (name: string): boolean => reg?.routed.has(name) ?? false;

/** Test hook (the self-test e2e): zero the output of one of our kernels; undefined heals it. */
export function breakStudioKernel(name: string | undefined): void {
  if (name !== undefined && !STUDIO_KERNEL_NAMES.includes(name))
    throw new Error(`cannot break '${name}': one of ${STUDIO_KERNEL_NAMES.join(', ')}`);
  registered().broken = name;
}

/** Switches between the Studio kernels (true) and the stock tfjs-webgpu ones (false). */
export function setStudioKernels(on: boolean): void {
  const r = registered();
  if (on === r.enabled) return;
  for (const [name, config] of r.stock) {
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel(on ? ours(name, config, r) : config);
  }
  r.enabled = on;
}

export function studioKernelsEnabled(): boolean {
  return reg?.enabled ?? false;
}
