// BatchMatMul and _FusedMatMul on the shared GEMM core (the WGSL is shaders/matmul.wgsl): both
// transposes are read in place (a transpose is only a different load form), batch broadcasting
// is a zero batch stride, and bias + activation are fused into the write. What the core does not cover (prelu, int32,
// broadcasting that is not "all or one") returns null and the caller uses the stock kernel.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import epilogueWgsl from '../../../shaders/epilogue.wgsl?raw';
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import {
  type Activation,
  activationFlags,
  activationOf,
  type BiasKind,
  DEFAULT_VARIANT,
  type GemmDims,
  GemmProgram,
  type GemmVariant,
  gemmUniformData,
  storedAsF32,
} from './gemm';
import { instantiateWgsl } from './wgslTemplate';

type TensorInfo = tf.TensorInfo;

/** One BatchMatMul/_FusedMatMul program: shaders/matmul.wgsl with its flags set. */
export class MatMulProgram extends GemmProgram {
  constructor(
    outputShape: number[],
    d: GemmDims,
    transposeA: boolean,
    transposeB: boolean,
    bias: BiasKind,
    activation: Activation | null,
    variant: GemmVariant = DEFAULT_VARIANT,
  ) {
    // A vec4 load runs along the stored matrix's contiguous axis (K for [M,K], M for [K,M]).
    const vecA = transposeA ? d.M % 4 === 0 : d.K % 4 === 0;
    const vecB = transposeB ? d.K % 4 === 0 : d.N % 4 === 0;
    const vecOut = d.N % 4 === 0;
    const kAligned = d.K % 4 === 0;
    // 8 output columns per thread only with B stored [K, N] and N % 4 == 0.
    const tileN = variant.tileN === 8 && vecB && !transposeB ? 8 : 4;
    const src = instantiateWgsl(`${epilogueWgsl}\n${matmulWgsl}`, {
      K_ALIGNED: kAligned,
      WIDE_N: tileN === 8,
      TRANSPOSE_A: transposeA,
      TRANSPOSE_B: transposeB,
      VEC_A: vecA,
      VEC_B: vecB,
      VEC_OUT: vecOut,
      BIAS_COLUMN: bias === 'column',
      BIAS_SCALAR: bias === 'scalar',
      ...activationFlags(activation),
    });
    super(outputShape, d, variant.wg, tileN, src);
    this.uniforms += ' strideA : i32, strideB : i32,';
    this.variableNames = ['A', 'B'];
    this.variableComponents = [vecA ? 4 : 1, vecB ? 4 : 1];
    if (bias !== 'none') {
      this.variableNames.push('bias');
      this.variableComponents.push(bias === 'column' && vecOut ? 4 : 1);
    }
    this.outputComponent = vecOut ? 4 : 1;
    this.shaderKey = `studio_matmul_${+transposeA}${+transposeB}_${+vecA}${+vecB}${+vecOut}${+kAligned}_${bias}_${activation}_${this.variantKey}`;
  }
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
export function studioMatMul(
  backend: WebGPUBackend,
  c: MatMulCall,
  variant: GemmVariant = DEFAULT_VARIANT,
): TensorInfo | null {
  const { a, b, transposeA, transposeB } = c;
  if (!storedAsF32(backend, a, b, c.bias)) return null;
  const act = activationOf(c.activation);
  if (!act) return null;
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
    variant,
  );
  const uniformData = [
    ...gemmUniformData(dims, c.leakyreluAlpha ?? 0),
    { type: 'int32', data: [batchA === 1 ? 0 : M * K] }, // strideA: elements per batch of A
    { type: 'int32', data: [batchB === 1 ? 0 : K * N] }, // strideB: elements per batch of B
  ];
  const inputs = c.bias ? [a, b, c.bias] : [a, b];
  return backend.runWebGPUProgram(program, inputs, 'float32', uniformData);
}
