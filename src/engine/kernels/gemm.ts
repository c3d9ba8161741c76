// The one GEMM core every Studio kernel shares: C[M, N] = A[M, K] · B[K, N], register-tiled,
// 4x4 outputs per thread, no workgroup memory and no barriers (barriers are what make tiled
// matmul slow on SwiftShader: 0.44 vs 1.43 GFLOP/s at 1024³). Each kernel family (matmul,
// conv forward, conv backprop-input, conv backprop-filter) only supplies the hooks that load a
// 4x4 slice of A and B for one step of K and that write the 4x4 result: the convolution index
// math lives inside those loads (implicit GEMM), so there is never an im2col/transpose/pad pass.
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
export const TILE = 4;
const XYZW = ['x', 'y', 'z', 'w'];

/**
 * How a load hook hands over its 4x4 slice of A for the K step starting at `k`:
 * 'mk': `a0..a3`, a_i = A[m0+i, k..k+3] (vec4 along K); 'km': `t0..t3`, t_j = A[m0..m0+3, k+j].
 */
export type AForm = 'mk' | 'km';
/** 'kn': `b0..b3`, b_j = B[k+j, n0..n0+3]; 'nk': `c0..c3`, c_j = B[k..k+3, n0+j]. */
export type BForm = 'kn' | 'nk';

export interface GemmHooks {
  aForm: AForm;
  bForm: BForm;
  /** WGSL functions used by the hooks (activation, scalar loaders). */
  helpers: string;
  /** Runs once per thread before the K loop; `batch`, `m0`, `n0` are defined. */
  setup: string;
  /** Runs once per K step of 4 (`k` defined): defines A and B in their forms, advances state. */
  load: string;
  /** Runs after the loop: writes `acc0..acc3` (acc_i = C[m0+i, n0..n0+3]) with guards. */
  write: string;
}

/** WGSL for the whole kernel body (`main`), from the family's hooks. */
export function makeGemmSource(h: GemmHooks): string {
  // A(i, j) = A[m0+i, k+j] as a scalar expression; Brow(j) = B[k+j, n0..n0+3] as a vec4.
  const aAt = (i: number, j: number) =>
    h.aForm === 'mk' ? `a${i}.${XYZW[j]}` : `t${j}.${XYZW[i]}`;
  const bRows =
    h.bForm === 'kn'
      ? ''
      : [0, 1, 2, 3]
          .map(
            (j) =>
              `let b${j} = vec4<f32>(c0.${XYZW[j]}, c1.${XYZW[j]}, c2.${XYZW[j]}, c3.${XYZW[j]});`,
          )
          .join('\n');
  const fmas = [0, 1, 2, 3]
    .map(
      (i) =>
        `acc${i} = acc${i} + ${aAt(i, 0)} * b0 + ${aAt(i, 1)} * b1 + ${aAt(i, 2)} * b2 + ${aAt(i, 3)} * b3;`,
    )
    .join('\n');
  return `
${h.helpers}
fn main() {
  let batch = i32(globalId.z);
  let n0 = i32(globalId.x) * ${TILE};
  let m0 = i32(globalId.y) * ${TILE};
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  ${h.setup}
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0; k < uniforms.dimK; k = k + ${TILE}) {
    ${h.load}
    ${bRows}
    ${fmas}
  }
  ${h.write}
}`;
}

/** Uniforms every GEMM program starts with; families append theirs after these. */
export const GEMM_UNIFORMS = 'dimM : i32, dimN : i32, dimK : i32, alpha : f32,';

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

/** The program fields shared by every family; the family sets variableNames, uniforms, shaderKey. */
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

  constructor(
    outputShape: number[],
    dims: GemmDims,
    workgroupSize: [number, number, number] = [8, 8, 1],
  ) {
    this.outputShape = outputShape;
    this.workgroupSize = workgroupSize;
    // A non-flat layout makes tfjs call main() without an index; our code reads globalId.
    this.dispatchLayout = { x: [0], y: [1], z: [2] };
    this.dispatch = [
      Math.ceil(dims.N / (TILE * workgroupSize[0])),
      Math.ceil(dims.M / (TILE * workgroupSize[1])),
      dims.batch,
    ];
  }

  abstract getUserCode(): string;
}

// ************* activations (fused into the write) *************

export type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu';

const ACTIVATION_WGSL: Record<Activation, string> = {
  linear: 'return v;',
  relu: 'return max(v, vec4<f32>(0.0));',
  relu6: 'return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0));',
  elu: 'return select(exp(v) - vec4<f32>(1.0), v, v >= vec4<f32>(0.0));',
  sigmoid: 'return vec4<f32>(1.0) / (vec4<f32>(1.0) + exp(-v));',
  leakyrelu: 'return select(v * uniforms.alpha, v, v >= vec4<f32>(0.0));',
};

/** Template flags ACT_LINEAR, ACT_RELU, ... for a shaders/*.wgsl `activation()` (null = linear). */
export function activationFlags(act: Activation | null): Record<string, boolean> {
  const on = act ?? 'linear';
  return Object.fromEntries(
    Object.keys(ACTIVATION_WGSL).map((a) => [`ACT_${a.toUpperCase()}`, a === on]),
  );
}

export function activationFn(act: Activation): string {
  return `fn activation(v : vec4<f32>) -> vec4<f32> { ${ACTIVATION_WGSL[act]} }`;
}

/** How the epilogue adds bias: none, one value per output column, or one scalar. */
export type BiasKind = 'none' | 'column' | 'scalar';

/**
 * The common epilogue: C[m, n] lives at `base + m * N + n` (row-major M x N per batch),
 * plus bias, then activation. `vec4Out` when N % 4 == 0 (the output is bound as vec4).
 */
export function rowMajorWrite(opts: {
  base: string;
  vec4Out: boolean;
  bias: BiasKind;
  activation: boolean;
  /** Output row of GEMM row m0+i when it is not m0+i itself (padded or phase-split M). */
  row?: (i: number) => string;
  /** Extra condition for GEMM row m0+i to be written (besides m0+i < dimM). */
  guard?: (i: number) => string;
}): string {
  const { base, vec4Out, bias, activation } = opts;
  const row = opts.row ?? ((i: number) => `(m0 + ${i})`);
  const biasExpr = () => {
    if (bias === 'none') return '';
    if (bias === 'scalar') return ' + vec4<f32>(bias[0])';
    return vec4Out
      ? ' + bias4'
      : ' + vec4<f32>(bias[min(n0, uniforms.dimN - 1)], bias[min(n0 + 1, uniforms.dimN - 1)], bias[min(n0 + 2, uniforms.dimN - 1)], bias[min(n0 + 3, uniforms.dimN - 1)])';
  };
  const lines: string[] = [];
  if (bias === 'column' && vec4Out) lines.push('let bias4 = bias[n0 / 4];');
  for (let i = 0; i < TILE; i++) {
    const v = `acc${i}${biasExpr()}`;
    lines.push(`if (m0 + ${i} < uniforms.dimM${opts.guard ? ` && ${opts.guard(i)}` : ''}) {`);
    lines.push(`  let v${i} = ${activation ? `activation(${v})` : v};`);
    lines.push(`  let o${i} = ${base} + ${row(i)} * uniforms.dimN + n0;`);
    if (vec4Out) {
      lines.push(`  result[o${i} / 4] = v${i};`);
    } else {
      for (let j = 0; j < TILE; j++)
        lines.push(`  if (n0 + ${j} < uniforms.dimN) { result[o${i} + ${j}] = v${i}.${XYZW[j]}; }`);
    }
    lines.push('}');
  }
  return lines.join('\n');
}

export { XYZW };
