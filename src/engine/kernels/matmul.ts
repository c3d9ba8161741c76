// BatchMatMul and _FusedMatMul on the shared GEMM core: both transposes are read in place (a
// transpose is only a different load form), batch broadcasting is a zero batch stride, and
// bias + activation are fused into the write. What the core does not cover (prelu, int32,
// broadcasting that is not "all or one") returns null and the caller uses the stock kernel.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  type Activation,
  activationFn,
  type BiasKind,
  GemmProgram,
  gemmUniformData,
  makeGemmSource,
  rowMajorWrite,
  storedAsF32,
} from './gemm';

type TensorInfo = tf.TensorInfo;
const Q = [0, 1, 2, 3];

export class MatMulProgram extends GemmProgram {
  private readonly src: string;

  constructor(
    outputShape: number[],
    d: { batch: number; M: number; N: number; K: number },
    transposeA: boolean,
    transposeB: boolean,
    bias: BiasKind,
    activation: Activation | null,
  ) {
    super(outputShape, d);
    this.uniforms += ' strideA : i32, strideB : i32,';
    // A vec4 load runs along the stored matrix's contiguous axis (K for [M,K], M for [K,M]).
    const vecA = transposeA ? d.M % 4 === 0 : d.K % 4 === 0;
    const vecB = transposeB ? d.K % 4 === 0 : d.N % 4 === 0;
    const vecOut = d.N % 4 === 0;
    this.variableNames = ['A', 'B'];
    this.variableComponents = [vecA ? 4 : 1, vecB ? 4 : 1];
    if (bias !== 'none') {
      this.variableNames.push('bias');
      this.variableComponents.push(bias === 'column' && vecOut ? 4 : 1);
    }
    this.outputComponent = vecOut ? 4 : 1;
    this.shaderKey = `studio_matmul_${+transposeA}${+transposeB}_${+vecA}${+vecB}${+vecOut}_${bias}_${activation}`;
    this.src = makeGemmSource({
      aForm: transposeA ? 'km' : 'mk',
      bForm: transposeB ? 'nk' : 'kn',
      helpers: activation ? activationFn(activation) : '',
      setup: SETUP,
      load: [K_LANES, loadA(transposeA, vecA), loadB(transposeB, vecB)].join('\n'),
      write: rowMajorWrite({
        base: 'batch * uniforms.dimM * uniforms.dimN',
        vec4Out: vecOut,
        bias,
        activation: activation !== null,
      }),
    });
  }

  getUserCode() {
    return this.src;
  }
}

const [M, N, K] = ['uniforms.dimM', 'uniforms.dimN', 'uniforms.dimK'];
const XYZW = ['x', 'y', 'z', 'w'];

// NOTE: only K needs real bounds: rows past M and columns past N compute garbage that the
// guarded write never stores, so their indices are just clamped (no per-load select). K is
// masked on A alone (a zero there zeroes the product), so B loads are never guarded. Guarding
// every scalar load of both operands made SwiftShader hang compiling the shader.
const SETUP = `let aBase = batch * uniforms.strideA;
let bBase = batch * uniforms.strideB;
${Q.map((i) => `let mr${i} = min(m0 + ${i}, ${M} - 1); let nc${i} = min(n0 + ${i}, ${N} - 1);`).join('\n')}`;
const K_LANES = `let kl = vec4<i32>(k) + vec4<i32>(0, 1, 2, 3);
let kq = min(kl, vec4<i32>(${K} - 1));
let kmask = select(vec4<f32>(0.0), vec4<f32>(1.0), kl < vec4<i32>(${K}));`;

/** A stored [M, K] gives form 'mk' (a_i); A stored [K, M] (transposeA) gives form 'km' (t_j). */
function loadA(transposeA: boolean, vec: boolean): string {
  if (!transposeA) {
    // vec4 along K means K % 4 == 0: no K tail to mask.
    return Q.map((i) =>
      vec
        ? `let a${i} = A[(aBase + mr${i} * ${K} + k) / 4];`
        : `let a${i} = vec4<f32>(${Q.map((j) => `A[aBase + mr${i} * ${K} + kq.${XYZW[j]}]`).join(', ')}) * kmask;`,
    ).join('\n');
  }
  return Q.map((j) =>
    vec
      ? `let t${j} = A[(aBase + kq.${XYZW[j]} * ${M} + m0) / 4] * kmask.${XYZW[j]};`
      : `let t${j} = vec4<f32>(${Q.map((i) => `A[aBase + kq.${XYZW[j]} * ${M} + mr${i}]`).join(', ')}) * kmask.${XYZW[j]};`,
  ).join('\n');
}

/** B stored [K, N] gives form 'kn' (b_j); B stored [N, K] (transposeB) gives form 'nk' (c_j). */
function loadB(transposeB: boolean, vec: boolean): string {
  if (!transposeB) {
    return Q.map((j) =>
      vec
        ? `let b${j} = B[(bBase + kq.${XYZW[j]} * ${N} + n0) / 4];`
        : `let b${j} = vec4<f32>(${Q.map((c) => `B[bBase + kq.${XYZW[j]} * ${N} + nc${c}]`).join(', ')});`,
    ).join('\n');
  }
  return Q.map((j) =>
    vec
      ? `let c${j} = B[(bBase + nc${j} * ${K} + k) / 4];`
      : `let c${j} = vec4<f32>(${Q.map((c) => `B[bBase + nc${j} * ${K} + kq.${XYZW[c]}]`).join(', ')});`,
  ).join('\n');
}

// ************* kernel functions *************

/** Classifies a fused bias against N output columns; null = a shape we leave to stock. */
export function biasKind(bias: TensorInfo | undefined, n: number): BiasKind | null {
  if (!bias) return 'none';
  const size = tf.util.sizeFromShape(bias.shape);
  if (size === 1) return 'scalar';
  if (size === n && bias.shape[bias.shape.length - 1] === n) return 'column';
  return null;
}

export interface MatMulCall {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo;
  activation?: string | null;
  leakyreluAlpha?: number;
}

/** Runs a (fused) batch matmul on the GEMM core, or returns null for shapes left to stock. */
export function studioMatMul(backend: WebGPUBackend, c: MatMulCall): TensorInfo | null {
  const { a, b, transposeA, transposeB } = c;
  if (!storedAsF32(backend, a, b, c.bias)) return null;
  const act = (c.activation ?? 'linear') as Activation;
  if (!['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'].includes(act)) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = tf.util.sizeFromShape(outer);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  // "All or one": each operand either has every batch or is shared by all of them.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const bias = biasKind(c.bias, N);
  if (bias === null) return null;
  const dims = { batch, M, N, K };
  const program = new MatMulProgram(
    [...outer, M, N],
    dims,
    transposeA,
    transposeB,
    bias,
    act === 'linear' ? null : act,
  );
  const uniformData = [
    ...gemmUniformData(dims, c.leakyreluAlpha ?? 0),
    { type: 'int32', data: [batchA === 1 ? 0 : M * K] }, // strideA: elements per batch of A
    { type: 'int32', data: [batchB === 1 ? 0 : K * N] }, // strideB: elements per batch of B
  ];
  const inputs = c.bias ? [a, b, c.bias] : [a, b];
  return backend.runWebGPUProgram(program, inputs, 'float32', uniformData);
}
