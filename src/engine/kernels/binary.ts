// Add, Sub and Multiply on float32 tensors of the same shape, or a tensor and a scalar, as a flat
// vec4 loop (shaders/binary.wgsl). tfjs-webgpu's BinaryOpProgram computes output coordinates and
// broadcast indices for every vec4 (integer divisions per rank); these two cases need none, and
// they are what training is made of: the optimizer update (lr * grad, param + step) and the
// gradient sums of residual branches. Anything else (broadcasting, int32, sizes not a multiple
// of 4) returns null: the stock kernel runs.
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import binaryWgsl from '../../../shaders/binary.wgsl?raw';
import { FLAT_WG, flatVec4Dispatch, storedAsF32 } from './gemm';
import { instantiateWgsl } from './wgslTemplate';

export type BinaryOp = 'add' | 'sub' | 'mul';
const OP_SYMBOL: Record<BinaryOp, string> = { add: '+', sub: '-', mul: '*' };

class BinaryVec4Program implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_WG, 1, 1];
  variableNames = ['a', 'b'];
  variableComponents: number[];
  outputComponent = 4;
  uniforms = 'n4 : i32,';
  private readonly src: string;

  constructor(outputShape: number[], op: BinaryOp, scalarA: boolean, scalarB: boolean) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatVec4Dispatch(outputShape, FLAT_WG);
    this.variableComponents = [scalarA ? 1 : 4, scalarB ? 1 : 4];
    this.shaderKey = `studio_binary_${op}_${+scalarA}${+scalarB}`;
    this.src = instantiateWgsl(
      binaryWgsl,
      { SCALAR_A: scalarA, SCALAR_B: scalarB },
      { OP: OP_SYMBOL[op] },
    );
  }

  getUserCode() {
    return this.src;
  }
}

/** a OP b for same-shape or scalar-operand float32 tensors; null = let the stock kernel run. */
export function binaryVec4(
  backend: WebGPUBackend,
  op: BinaryOp,
  a: tf.TensorInfo | undefined,
  b: tf.TensorInfo | undefined,
): tf.TensorInfo | null {
  if (!a || !b || !storedAsF32(backend, a, b)) return null;
  const sa = a.shape.reduce((x, y) => x * y, 1);
  const sb = b.shape.reduce((x, y) => x * y, 1);
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  const scalarA = !same && sa === 1 && b.shape.length >= a.shape.length;
  const scalarB = !same && sb === 1 && a.shape.length >= b.shape.length;
  if (!same && !scalarA && !scalarB) return null;
  const out = scalarA ? b : a;
  const n = scalarA ? sb : sa;
  if (n === 0 || n % 4 !== 0) return null;
  const program = new BinaryVec4Program([...out.shape], op, scalarA, scalarB);
  return backend.runWebGPUProgram(program, [a, b], 'float32', [{ type: 'int32', data: [n / 4] }]);
}
