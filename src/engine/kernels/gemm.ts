// The one GEMM core every Studio kernel shares: C[M, N] = A[M, K] · B[K, N], register-tiled,
// 4x4 outputs per thread, no workgroup memory and no barriers (barriers are what make tiled
// matmul slow on SwiftShader: 0.44 vs 1.43 GFLOP/s at 1024³). Each kernel family is one WGSL
// template in shaders/ (matmul.wgsl, conv2d_fwd.wgsl, conv2d_dgrad.wgsl, conv2d_wgrad.wgsl) with
// the same loop: only the loads of a 4x4 slice of A and B for one step of K and the write of
// the 4x4 result differ. The convolution index math lives inside those loads (implicit GEMM),
// so there is never an im2col/transpose/pad pass. This file holds the program fields and
// uniforms they share.
//
// NOTE: loads are written as `select(0.0, buf[i], inBounds)` rather than branches. WebGPU
// guarantees an out-of-bounds load returns a value from the buffer or zero (never faults),
// so the selected-away load is harmless and SIMD lanes on SwiftShader stay branch-free.
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * True when every given tensor is float32 *and stored as f32*: tfjs-webgpu's Cast from int32 or
 * bool to float32 only relabels the tensor, so its buffer still holds i32 (our programs bind
 * every input as f32 and would not compile). Those inputs go to the stock kernels.
 */
export function storedAsF32(backend: WebGPUBackend, ...ts: (tf.TensorInfo | undefined)[]) {
  return ts.every(
    (t) => !t || (t.dtype === 'float32' && backend.tensorMap.get(t.dataId)?.dtype === 'float32'),
  );
}

/** Outputs per thread along M and along N (the register tile). */
const TILE = 4;

/**
 * Threads per workgroup of the flat programs (batch norm, binary, pooling); the batch-norm
 * reductions (shaders/batchnorm_*stats.wgsl) are written for 64 threads.
 */
export const FLAT_WG = 64;

/**
 * The compile-time choices an autotune variant makes for a GEMM program: threads per workgroup
 * along N (x) and M (y), and outputs per thread along N (4, or 8 for the wide tile, which each
 * family takes only where its loads allow). Part of every GEMM program's shaderKey.
 */
export interface GemmVariant {
  wg: readonly [number, number];
  tileN: 4 | 8;
}

/** The default variant: 8x8 threads of 4x4 outputs. */
export const DEFAULT_VARIANT: GemmVariant = { wg: [8, 8], tileN: 4 };

/** Uniforms every GEMM program starts with; families append theirs after these. */
const GEMM_UNIFORMS = 'dimM : i32, dimN : i32, dimK : i32, alpha : f32,';

export interface GemmDims {
  batch: number;
  M: number;
  N: number;
  K: number;
}

/** uniformData entries matching GEMM_UNIFORMS, in the same order. */
export function gemmUniformData(d: GemmDims, alpha = 0) {
  return [
    { type: 'int32', data: [d.M] }, // dimM: output rows
    { type: 'int32', data: [d.N] }, // dimN: output columns
    { type: 'int32', data: [d.K] }, // dimK: reduction length
    { type: 'float32', data: [alpha] }, // alpha: leakyrelu slope
  ];
}

/**
 * The program fields shared by every family: the constructor does the workgroup and dispatch
 * math for the variant; the family sets variableNames, uniforms and shaderKey (ending in
 * `variantKey`), and getUserCode() returns its WGSL.
 */
export abstract class GemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = '';
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames: string[] = [];
  variableComponents?: number[];
  outputComponent?: number;
  uniforms = GEMM_UNIFORMS;
  /** Outputs per thread along N (4, 8 for a wide variant, 16 for the few-channel stem). */
  readonly tileN: number;
  /** The compile-time part of the shaderKey every family appends. */
  readonly variantKey: string;
  private readonly src: string;

  constructor(
    outputShape: number[],
    dims: GemmDims,
    wg: readonly [number, number],
    tileN: number,
    src: string,
  ) {
    this.outputShape = outputShape;
    this.workgroupSize = [wg[0], wg[1], 1];
    this.tileN = tileN;
    this.variantKey = `t${tileN}_wg${wg[0]}x${wg[1]}`;
    this.src = src;
    // A non-flat layout makes tfjs call main() without an index; our code reads globalId.
    this.dispatchLayout = { x: [0], y: [1], z: [2] };
    this.dispatch = [
      Math.ceil(dims.N / (tileN * wg[0])),
      Math.ceil(dims.M / (TILE * wg[1])),
      dims.batch,
    ];
  }

  getUserCode() {
    return this.src;
  }
}

// ************* activations (fused into the write) *************

/** tfjs's fused activations our epilogue (shaders/epilogue.wgsl) implements; prelu goes to stock. */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** A fused op's activation attribute (undefined = linear), or null when we do not implement it. */
export function activationOf(attr: unknown): Activation | null {
  const a = attr ?? 'linear';
  return (ACTIVATIONS as readonly unknown[]).includes(a) ? (a as Activation) : null;
}

/** Template flags ACT_LINEAR, ACT_RELU, ... for a shaders/*.wgsl `activation()` (null = linear). */
export function activationFlags(act: Activation | null): Record<string, boolean> {
  const on = act ?? 'linear';
  return Object.fromEntries(ACTIVATIONS.map((a) => [`ACT_${a.toUpperCase()}`, a === on]));
}

/** How the epilogue adds bias: none, one value per output column, or one scalar. */
export type BiasKind = 'none' | 'column' | 'scalar';

// ************* flat elementwise programs *************

/** One thread per vec4 of `outputShape`, `wg` threads per workgroup, split over y past 65535 groups. */
export function flatVec4Dispatch(outputShape: number[], wg: number): [number, number, number] {
  const groups = Math.ceil(outputShape.reduce((a, b) => a * b, 1) / 4 / wg);
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
