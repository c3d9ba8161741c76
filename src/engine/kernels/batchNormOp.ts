// The one batch norm every model calls (ResNets, Keras ResNet50, the fastai head, the demo net):
// over every axis but the last, with PyTorch's semantics. Training normalises with the batch's
// biased statistics and moves the running statistics toward them with the unbiased variance;
// eval normalises with the running statistics. Training runs on the fused WGSL kernels
// (batchnorm.ts) when they can take the tensor, on tf ops otherwise (CPU backend, stock
// kernels, channels not a multiple of 4); both give the same numbers within float tolerance
// (the BN kernel check compares them).
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, fusedBatchNormAvailable, runningUpdate } from './batchnorm';

/** What follows a BN in a ResNet: optional residual add, then optional ReLU (fused when possible). */
export interface BnPost {
  relu?: boolean;
  residual?: tf.Tensor;
}

export interface BatchNormArgs {
  gamma: tf.Tensor;
  beta: tf.Tensor;
  runMean: tf.Variable;
  runVar: tf.Variable;
  training: boolean;
  eps: number;
  momentum: number;
}

export function batchNorm<T extends tf.Tensor>(x: T, a: BatchNormArgs, post: BnPost = {}): T {
  const { gamma, beta, runMean, runVar, eps, momentum } = a;
  if (!a.training) return applyPost(tf.batchNorm(x, runMean, runVar, beta, gamma, eps) as T, post);
  const n = x.size / x.shape[x.rank - 1];
  if (fusedBatchNormAvailable(x)) {
    // Stats, normalise (+ residual + ReLU) and backward in a few dispatches.
    const { y, stats } = batchNormTrain(x, gamma, beta, { eps, ...post });
    runMean.assign(runningUpdate(runMean, stats, 0, momentum, 1));
    runVar.assign(runningUpdate(runVar, stats, 1, momentum, n / Math.max(n - 1, 1)));
    stats.dispose();
    return y;
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  // The running-stat update is bookkeeping off the loss path: no gradient flows through it.
  runMean.assign(tf.add(tf.mul(runMean, 1 - momentum), tf.mul(mean, momentum)));
  runVar.assign(
    tf.add(tf.mul(runVar, 1 - momentum), tf.mul(variance, (momentum * n) / Math.max(n - 1, 1))),
  );
  return applyPost(tf.batchNorm(x, mean, variance, beta, gamma, eps) as T, post);
}

function applyPost<T extends tf.Tensor>(y: T, post: BnPost): T {
  const z = post.residual ? (tf.add(y, post.residual) as T) : y;
  return post.relu ? (tf.relu(z) as T) : z;
}
