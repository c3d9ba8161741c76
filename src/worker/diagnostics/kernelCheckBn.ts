// Correctness check for the fused batch-norm/elementwise kernels (batchnorm.ts), run in the
// worker on the real adapter: the one batch norm (batchNormOp.ts) in training mode (with and without
// the fused residual add and ReLU) and addRelu, forward + gradients (x, gamma, beta, residual)
// + the running-statistics update, vs tfjs's CPU backend (the composite tf.moments path) and
// vs the stock webgpu ops (Studio kernels off).
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/random';
import { batchNorm, type BnPost } from '../../engine/kernels/batchNormOp';
import { addRelu, fusedBatchNormAvailable } from '../../engine/kernels/batchnorm';
import type { KernelCheckResult } from '../../shared/protocol';
import { compareBackends } from './kernelCheck';

export interface BnCase {
  name: string;
  shape: number[];
  post: 'none' | 'relu' | 'residual+relu' | 'residual' | 'addRelu';
}

export const BN_CHECK_CASES: BnCase[] = [
  { name: 'bn train 2x5x3x8', shape: [2, 5, 3, 8], post: 'none' },
  { name: 'bn train + relu 1x4x4x12 (batch 1)', shape: [1, 4, 4, 12], post: 'relu' },
  { name: 'bn train + residual + relu 3x3x5x16', shape: [3, 3, 5, 16], post: 'residual+relu' },
  { name: 'bn train + residual 2x7x7x4', shape: [2, 7, 7, 4], post: 'residual' },
  { name: 'bn train 2-D 9x20 (head BN)', shape: [9, 20], post: 'none' },
  { name: 'bn train 4x2x2x64 (layer4-like, long reduction)', shape: [4, 2, 2, 64], post: 'relu' },
  { name: 'bn train 2x17x13x8 (M = 442 rows)', shape: [2, 17, 13, 8], post: 'residual+relu' },
  { name: 'add + relu 2x3x3x8', shape: [2, 3, 3, 8], post: 'addRelu' },
];

export function caseData(c: BnCase, seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const ch = c.shape[c.shape.length - 1];
  const arr = (len: number, lo: number, hi: number) =>
    Float32Array.from({ length: len }, () => lo + (hi - lo) * rand());
  // x with a channel offset and scale so mean/var are not trivial; gamma around 1.
  const x = arr(n, -2, 3);
  return [x, arr(ch, 0.5, 1.5), arr(ch, -0.5, 0.5), arr(n, -1, 1), arr(ch, -1, 1), arr(ch, 0.5, 2)];
}

export async function runBnCase(c: BnCase, d: Float32Array[]): Promise<Float32Array[]> {
  const ch = c.shape[c.shape.length - 1];
  const [x, gamma, beta, res] = [
    tf.tensor(d[0], c.shape),
    tf.tensor(d[1], [ch]),
    tf.tensor(d[2], [ch]),
    tf.tensor(d[3], c.shape),
  ];
  const [runMean, runVar] = tf.tidy(() => [
    tf.variable(tf.tensor(d[4], [ch]), false),
    tf.variable(tf.tensor(d[5], [ch]), false),
  ]);
  const dy = tf.tensor(
    Float32Array.from({ length: x.size }, (_, i) => Math.sin(i * 0.37)),
    c.shape,
  );
  let outs: tf.Tensor[] = [];
  try {
    outs = tf.tidy(() => {
      if (c.post === 'addRelu') {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          fusedBatchNormAvailable(a) ? addRelu(a, b) : tf.relu(tf.add(a, b));
        const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => f(t[0], t[1]))(
          [x, res],
          dy,
        );
        return [value, ...grads];
      }
      const withRes = c.post.startsWith('residual');
      const f = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor, r?: tf.Tensor) => {
        const post: BnPost = { relu: c.post.endsWith('relu'), residual: withRes ? r : undefined };
        const bn = { gamma: g, beta: b, runMean, runVar, training: true, eps: 1e-5, momentum: 0.1 };
        return batchNorm(xs, bn, post);
      };
      const args = withRes ? [x, gamma, beta, res] : [x, gamma, beta];
      const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => f(t[0], t[1], t[2], t[3]))(
        args,
        dy,
      );
      return [value, ...grads, runMean.clone(), runVar.clone()];
    });
    return await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
  } finally {
    tf.dispose([x, gamma, beta, res, dy, runMean, runVar, ...outs]); // also when a case throws
  }
}

/** Every BN case on webgpu (fused, then stock ops) and on the CPU backend; restores the state. */
export async function kernelCheckBn(seed = 1, only?: string): Promise<KernelCheckResult> {
  const cases = BN_CHECK_CASES.filter((c) => !only || c.name.includes(only));
  const data = cases.map((c, i) => caseData(c, seed * 1000 + i));
  return compareBackends(cases, data, runBnCase, (c) => {
    const probe = tf.zeros(c.shape);
    const fused = fusedBatchNormAvailable(probe);
    probe.dispose();
    if (!fused) throw new Error(`fused batch norm is not available for ${c.name}`);
  });
}
