// Functional building blocks shared by the ResNets and the fastai head. Parameters live in the
// model's Maps under PyTorch state-dict keys; these functions only look them up and call tf ops
// (tf.conv2d, tf.batchNorm, ...), so kernels registered into the webgpu backend speed them up.
// Layouts: activations NHWC, conv weights HWIO, linear weights [in, out] (torch's transposed).
import * as tf from '@tensorflow/tfjs';
import { batchNorm as batchNormOp, type BnPost } from '../engine/kernels/batchNormOp';

/** PyTorch BatchNorm defaults. */
export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export interface Store {
  params: Map<string, tf.Variable>;
  buffers: Map<string, tf.Variable>;
}

/** Looks a tensor up by key, with an error that names the key (a builder bug otherwise). */
export function get(store: Store, key: string): tf.Variable {
  const v = store.params.get(key) ?? store.buffers.get(key);
  if (!v) throw new Error(`model has no tensor '${key}'`);
  return v;
}

/** Conv with PyTorch-style symmetric zero padding (an integer), or 'same'/'valid'. */
export function conv(
  store: Store,
  prefix: string,
  x: tf.Tensor4D,
  stride: number,
  pad: number | 'same' | 'valid',
  fuseBias = false,
): tf.Tensor4D {
  const w = get(store, `${prefix}.weight`) as tf.Tensor4D;
  const b = store.params.get(`${prefix}.bias`);
  // Without gradients the bias rides in the conv's epilogue (Keras convs all have one): a
  // separate broadcast Add is a stock kernel, ~20 % of a ResNet50 forward on SwiftShader. Not
  // when training: the fused op's gradient computes the filter's too, frozen or not (1.5x a
  // frozen step; BENCHMARKS.md).
  if (b && fuseBias) return tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias: b });
  const y = tf.conv2d(x, w, stride, pad);
  return b ? tf.add(y, b) : y;
}

/** The model's BatchNorm layer `prefix`: engine/kernels/batchNormOp.ts on its four tensors. */
export function batchNorm<T extends tf.Tensor>(
  store: Store,
  prefix: string,
  x: T,
  training: boolean,
  eps = BN_EPS,
  momentum = BN_MOMENTUM,
  post: BnPost = {},
): T {
  const [gamma, beta] = [get(store, `${prefix}.weight`), get(store, `${prefix}.bias`)];
  const [runMean, runVar] = [
    get(store, `${prefix}.running_mean`),
    get(store, `${prefix}.running_var`),
  ];
  return batchNormOp(x, { gamma, beta, runMean, runVar, training, eps, momentum }, post);
}

/** x @ W (+ b), W stored [in, out]. */
export function linear(store: Store, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, get(store, `${prefix}.weight`) as tf.Tensor2D);
  const b = store.params.get(`${prefix}.bias`);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/**
 * Mean (or max) over H and W as one pooling window. Not tf.mean/tf.max over axes [1, 2]: tfjs-webgpu
 * reduces middle axes by a transpose and then a 256-thread workgroup with barriers per output,
 * which on SwiftShader took 6 s for ResNet50's [64, 1, 1, 2048] features (a window pool: 0.1 ms).
 */
export function globalPool(f: tf.Tensor4D, kind: 'avg' | 'max'): tf.Tensor2D {
  const [b, h, w, c] = f.shape;
  const pooled =
    kind === 'avg'
      ? tf.avgPool(f, [h, w], [h, w], 'valid')
      : tf.maxPool(f, [h, w], [h, w], 'valid');
  return tf.reshape(pooled, [b, c]);
}

/** Dropout only while training (fastai/PyTorch nn.Dropout semantics: scale kept units by 1/(1-p)). */
export const dropout = <T extends tf.Tensor>(x: T, p: number, training: boolean): T =>
  training && p > 0 ? (tf.dropout(x, p) as T) : x;

// ---- parameter creation (init) ----

export type Init = (shape: number[], fanIn: number) => tf.Tensor;

/** Seeded kaiming-normal (fan_in, ReLU gain), PyTorch's `kaiming_normal_` default. */
export function kaimingNormal(seed: number): Init {
  let s = seed;
  return (shape, fanIn) => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s++);
}

export function addConv(
  store: Store,
  prefix: string,
  k: number,
  cin: number,
  cout: number,
  init: Init,
  bias = false,
) {
  store.params.set(`${prefix}.weight`, tf.variable(init([k, k, cin, cout], k * k * cin), true));
  if (bias) store.params.set(`${prefix}.bias`, tf.variable(tf.zeros([cout]), true));
}

/** BN params (weight 1, bias `bias0`) and running stats (0, 1). fastai's head BN uses bias 1e-3. */
export function addBatchNorm(store: Store, prefix: string, c: number, bias0 = 0, weight0 = 1) {
  store.params.set(`${prefix}.weight`, tf.variable(tf.fill([c], weight0), true));
  store.params.set(`${prefix}.bias`, tf.variable(tf.fill([c], bias0), true));
  store.buffers.set(`${prefix}.running_mean`, tf.variable(tf.zeros([c]), false));
  store.buffers.set(`${prefix}.running_var`, tf.variable(tf.ones([c]), false));
}

export function addLinear(
  store: Store,
  prefix: string,
  nin: number,
  nout: number,
  init: Init,
  bias = true,
) {
  store.params.set(`${prefix}.weight`, tf.variable(init([nin, nout], nin), true));
  if (bias) store.params.set(`${prefix}.bias`, tf.variable(tf.zeros([nout]), true));
}

// Variables stay unnamed: tfjs names must be unique per engine and several models coexist
// (the new one is built before the old one is disposed).
export const newStore = (): Store => ({ params: new Map(), buffers: new Map() });
