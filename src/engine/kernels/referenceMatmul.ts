// The benchmark's yardstick (issue 6): a plain register-tiled matmul, 4x4 outputs per thread,
// vec4 loads, no workgroup memory (shaders/matmul_reference.wgsl). Not registered into tfjs.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import referenceWgsl from '../../../shaders/matmul_reference.wgsl?raw';

class ReferenceMatMulProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'studio_reference_matmul';
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [8, 8, 1];
  variableNames = ['A', 'B'];
  variableComponents = [4, 4];
  outputComponent = 4;
  uniforms = 'dimM : i32, dimN : i32, dimK : i32,';

  constructor(m: number, n: number) {
    this.outputShape = [m, n];
    this.dispatch = [Math.ceil(n / 32), Math.ceil(m / 32), 1];
  }

  getUserCode() {
    return referenceWgsl;
  }
}

/** A[M, K] · B[K, N] with M, N, K multiples of 4, on the webgpu backend. */
export function referenceMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (m % 4 || n % 4 || k % 4 || b.shape[0] !== k) throw new Error('reference matmul: bad shape');
  const backend = tf.backend() as unknown as WebGPUBackend;
  const info = backend.runWebGPUProgram(new ReferenceMatMulProgram(m, n), [a, b], 'float32', [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
  ]);
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}
