// MaxPoolGrad on a flat vec4 program (shaders/maxpool_grad.wgsl): ResNet's 3x3 stride-2 stem
// pool backward took ~100 ms a step at 64 px batch 8 on stock tfjs-webgpu (a position pass plus
// a backprop pass). Channel counts that are not a multiple of 4, and non-f32 tensors, return
// null: the stock kernel runs.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import maxPoolGradWgsl from '../../../shaders/maxpool_grad.wgsl?raw';
import { FLAT_WG, flatVec4Dispatch, storedAsF32 } from './gemm';

const MAXPOOL_GRAD_UNIFORMS =
  'n4 : i32, channels : i32, stride : vec2<i32>, pad : vec2<i32>, filterHW : vec2<i32>, inHW : vec2<i32>, outHW : vec2<i32>,';

class MaxPoolGradProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'studio_maxpool_grad';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_WG, 1, 1];
  variableNames = ['dy', 'x'];
  variableComponents = [4, 4];
  outputComponent = 4;
  uniforms = MAXPOOL_GRAD_UNIFORMS;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatVec4Dispatch(outputShape, FLAT_WG);
  }

  getUserCode() {
    return maxPoolGradWgsl;
  }
}

/** tfjs's MaxPoolGrad kernel function; null = let the stock kernel run. */
export function maxPoolGrad(
  backend: WebGPUBackend,
  inputs: Record<string, tf.TensorInfo | undefined>,
  attrs: Record<string, unknown>,
): tf.TensorInfo | null {
  const { dy, input } = inputs;
  if (!dy || !input || input.shape.length !== 4 || !storedAsF32(backend, dy, input)) return null;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  if (info.inChannels % 4 !== 0) return null;
  const n4 = tf.util.sizeFromShape(input.shape) / 4;
  return backend.runWebGPUProgram(
    new MaxPoolGradProgram([...input.shape]),
    [dy, input],
    'float32',
    [
      { type: 'int32', data: [n4] },
      { type: 'int32', data: [info.inChannels] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.filterHeight, info.filterWidth] },
      { type: 'int32', data: [info.inHeight, info.inWidth] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
    ],
  );
}
