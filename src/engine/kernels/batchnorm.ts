// Batch norm in training mode (batch statistics) on a few WGSL dispatches instead of the ~25
// stock ops tf.moments + tf.batchNorm + autodiff cost (each ~100 µs of dispatch overhead on
// SwiftShader, and tfjs's Sum/Mean over N*H*W are slow): forward = statistics (1 dispatch) +
// normalise with optional fused residual add and ReLU (1); backward = channel reductions (1) +
// input gradient (1) (+1 for the ReLU mask when a residual needs its own gradient) + 2 slices.
// Running statistics: 1 dispatch each. Layout NHWC seen as [M, C]; C % 4 == 0 (vec4), f32.
// Wired in through tf.customGrad, so tfjs autodiff and optimizers see one op.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import statsWgsl from '../../../shaders/batchnorm_stats.wgsl?raw';
import applyWgsl from '../../../shaders/batchnorm_apply.wgsl?raw';
import gradStatsWgsl from '../../../shaders/batchnorm_grad_stats.wgsl?raw';
import gradInputWgsl from '../../../shaders/batchnorm_grad_input.wgsl?raw';
import elementwiseWgsl from '../../../shaders/elementwise.wgsl?raw';
import { FLAT_WG, flatVec4Dispatch } from './gemm';
import { BN_KERNEL, routedToStock, studioKernelsEnabled } from './register';

type TensorInfo = tf.TensorInfo;

/** Whether `batchNormTrain` can run on `x`: webgpu backend, Studio kernels on (and not routed to
 * stock by the self-test), f32, C % 4 == 0. */
export function fusedBatchNormAvailable(x: tf.Tensor): boolean {
  return (
    studioKernelsEnabled() &&
    !routedToStock(BN_KERNEL) &&
    tf.getBackend() === 'webgpu' &&
    x.dtype === 'float32' &&
    x.rank >= 2 &&
    x.shape[x.rank - 1] % 4 === 0 &&
    x.size > 0
  );
}

/** One workgroup per vec4 of channels (reductions over all rows). */
class ChannelReduceProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_WG, 1, 1];
  variableNames: string[];
  variableComponents: number[];
  outputComponent = 4;
  uniforms = 'rows : i32, c4 : i32, eps : f32,';
  private readonly src: string;

  constructor(c: number, key: string, variableNames: string[], src: string) {
    this.outputShape = [2, c];
    this.dispatch = [c / 4, 1, 1];
    this.variableNames = variableNames;
    this.variableComponents = variableNames.map(() => 4);
    this.shaderKey = `studio_bn_${key}`;
    this.src = src;
  }

  getUserCode() {
    return this.src;
  }
}

/** One thread per vec4 of the output (flat index). */
class Vec4MapProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_WG, 1, 1];
  variableNames: string[];
  variableComponents: number[];
  outputComponent = 4;
  uniforms = 'n4 : i32, rows : i32, c4 : i32, eps : f32, f0 : f32, f1 : f32,';
  private readonly src: string;

  constructor(outputShape: number[], key: string, variableNames: string[], src: string) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatVec4Dispatch(outputShape, FLAT_WG);
    this.variableNames = variableNames;
    this.variableComponents = variableNames.map(() => 4);
    this.shaderKey = `studio_bn_${key}`;
    this.src = src;
  }

  getUserCode() {
    return this.src;
  }
}

const backend = () => tf.backend() as unknown as WebGPUBackend;
const wrap = (info: TensorInfo) => tf.engine().makeTensorFromTensorInfo(info);
const i32 = (v: number) => ({ type: 'int32', data: [v] });
const f32 = (v: number) => ({ type: 'float32', data: [v] });

function dims(x: tf.Tensor) {
  const c = x.shape[x.rank - 1];
  return { c, c4: c / 4, rows: x.size / c };
}

function run(
  program: WebGPUProgram,
  inputs: tf.Tensor[],
  uniforms: { type: string; data: number[] }[],
): tf.Tensor {
  return wrap(backend().runWebGPUProgram(program, inputs, 'float32', uniforms));
}

/** [2, C]: batch mean and biased variance over every axis but the last. Not on the tape. */
function batchStats(x: tf.Tensor, eps = 0): tf.Tensor2D {
  const { c, c4, rows } = dims(x);
  const p = new ChannelReduceProgram(c, 'stats', ['x'], statsWgsl);
  return run(p, [x], [i32(rows), i32(c4), f32(eps)]) as tf.Tensor2D;
}

function mapUniforms(x: tf.Tensor, eps: number, f0 = 0, f1 = 0) {
  const { c4, rows } = dims(x);
  return [i32(x.size / 4), i32(rows), i32(c4), f32(eps), f32(f0), f32(f1)];
}

function applyBn(
  x: tf.Tensor,
  stats: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  residual: tf.Tensor | undefined,
  relu: boolean,
  eps: number,
): tf.Tensor {
  const src = applyWgsl
    .replace('/*RESIDUAL*/', residual ? 'o = o + res[index];' : '')
    .replace('/*RELU*/', relu ? 'o = max(o, vec4<f32>(0.0));' : '');
  const names = ['x', 'stats', 'gamma', 'beta', ...(residual ? ['res'] : [])];
  const p = new Vec4MapProgram(x.shape, `apply_${+!!residual}${+relu}`, names, src);
  const inputs = [x, stats, gamma, beta, ...(residual ? [residual] : [])];
  return run(p, inputs, mapUniforms(x, eps));
}

/** dy * (y > 0): the gradient through a ReLU from its output. */
function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const src = elementwiseWgsl.replace(
    '/*OP*/',
    'result[index] = select(vec4<f32>(0.0), dy[index], y[index] > vec4<f32>(0.0));',
  );
  const p = new Vec4MapProgram(dy.shape, 'relu_grad', ['dy', 'y'], src);
  return run(p, [dy, y], mapUniforms(dy, 0));
}

function bnGrad(
  dy: tf.Tensor,
  x: tf.Tensor,
  y: tf.Tensor | undefined,
  stats: tf.Tensor,
  gamma: tf.Tensor,
  eps: number,
): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  const { c, c4, rows } = dims(x);
  const mask = (i: string) => (y ? `g = select(vec4<f32>(0.0), g, y[${i}] > vec4<f32>(0.0));` : '');
  const names = ['x', 'dy', 'stats', ...(y ? ['y'] : [])];
  const ins = [x, dy, stats, ...(y ? [y] : [])];
  const gsP = new ChannelReduceProgram(
    c,
    `grad_stats_${+!!y}`,
    names,
    gradStatsWgsl.replace('/*RELU_MASK*/', mask('i')),
  );
  const gstats = run(gsP, ins, [i32(rows), i32(c4), f32(eps)]);
  const giP = new Vec4MapProgram(
    x.shape,
    `grad_input_${+!!y}`,
    [...names, 'gamma', 'gstats'],
    gradInputWgsl.replace('/*RELU_MASK*/', mask('index')),
  );
  const dx = run(giP, [...ins, gamma, gstats], mapUniforms(x, eps));
  const dbeta = tf.slice(gstats, [0, 0], [1, c]).reshape([c]);
  const dgamma = tf.slice(gstats, [1, 0], [1, c]).reshape([c]);
  gstats.dispose();
  return { dx, dgamma, dbeta };
}

/**
 * new = running * (1 - momentum) + stats[row] * momentum * factor, one dispatch: the running-mean
 * (row 0, factor 1) and running-variance (row 1, factor n/(n-1), PyTorch's unbiased) updates.
 */
export function runningUpdate(
  running: tf.Tensor,
  stats: tf.Tensor,
  row: 0 | 1,
  momentum: number,
  factor: number,
): tf.Tensor {
  const c4 = running.size / 4;
  const src = elementwiseWgsl.replace(
    '/*OP*/',
    `result[index] = run[index] * uniforms.f0 + stats[${row} * uniforms.c4 + index] * uniforms.f1;`,
  );
  const p = new Vec4MapProgram(running.shape, `running_${row}`, ['run', 'stats'], src);
  return run(
    p,
    [running, stats],
    [i32(c4), i32(1), i32(c4), f32(0), f32(1 - momentum), f32(momentum * factor)],
  );
}

export interface BatchNormTrainOpts {
  eps: number;
  relu?: boolean;
  /** Added after the affine transform, before the ReLU (ResNet's block output). */
  residual?: tf.Tensor;
}

/**
 * Training-mode batch norm: y = [relu]((x - mean) / sqrt(var + eps) * gamma + beta [+ residual])
 * with the batch's mean and biased variance; differentiable in x, gamma, beta (and residual).
 * Returns y and the [2, C] statistics (off the tape) for the running-stat update.
 * Call only when `fusedBatchNormAvailable(x)`.
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  opts: BatchNormTrainOpts,
): { y: T; stats: tf.Tensor2D } {
  const { eps, residual } = opts;
  const relu = Boolean(opts.relu);
  const stats = batchStats(x);
  const grads = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [sx, sg, sstats, sy] = saved;
    // With a residual its gradient is dz itself: materialise dz once and skip the mask below.
    const dz = relu && residual ? reluGrad(dy, sy) : dy;
    const g = bnGrad(dz, sx, relu && !residual ? sy : undefined, sstats, sg, eps);
    return { ...g, dres: dz };
  };
  let y: tf.Tensor;
  if (residual) {
    const op = tf.customGrad((xi, gi, bi, ri, save) => {
      const out = applyBn(
        xi as tf.Tensor,
        stats,
        gi as tf.Tensor,
        bi as tf.Tensor,
        ri as tf.Tensor,
        relu,
        eps,
      );
      (save as tf.GradSaveFunc)([xi as tf.Tensor, gi as tf.Tensor, stats, out]);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const g = grads(dy, saved);
          return [g.dx, g.dgamma, g.dbeta, g.dres];
        },
      };
    });
    y = op(x, gamma, beta, residual);
  } else {
    const op = tf.customGrad((xi, gi, bi, save) => {
      const out = applyBn(
        xi as tf.Tensor,
        stats,
        gi as tf.Tensor,
        bi as tf.Tensor,
        undefined,
        relu,
        eps,
      );
      (save as tf.GradSaveFunc)([xi as tf.Tensor, gi as tf.Tensor, stats, out]);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const g = grads(dy, saved);
          return [g.dx, g.dgamma, g.dbeta];
        },
      };
    });
    y = op(x, gamma, beta);
  }
  return { y: y as T, stats };
}

/** relu(a + b) in one dispatch (forward), gradient dy * (out > 0) to both. Same shapes, C % 4. */
export function addRelu<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  const op = tf.customGrad((ai, bi, save) => {
    const src = elementwiseWgsl.replace(
      '/*OP*/',
      'result[index] = max(a[index] + b[index], vec4<f32>(0.0));',
    );
    const p = new Vec4MapProgram((ai as tf.Tensor).shape, 'add_relu', ['a', 'b'], src);
    const out = run(p, [ai as tf.Tensor, bi as tf.Tensor], mapUniforms(ai as tf.Tensor, 0));
    (save as tf.GradSaveFunc)([out]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = reluGrad(dy, saved[0]);
        return [g, g.clone()];
      },
    };
  });
  return op(a, b) as T;
}
