// The demo's network: the tiny CNN with batch norm after each conv, so the Learner's BN handling
// (eval mode for validation, running stats restored by lr_find, no weight decay on BN) is
// exercised on something that trains in seconds. PyTorch keys and BN semantics
// (momentum 0.1, eps 1e-5, unbiased running var).
// NOTE: lives in src/learn because src/models belongs to the models helper; it only uses the
// shared `Model` contract and could move there as is.
import * as tf from '@tensorflow/tfjs';
import { batchNorm, globalPool } from '../models/layers';
import { UNIT, type Model } from '../models/model';

export function tinyBnCnn(
  nClasses: number,
  seed: number,
  widths: [number, number] = [8, 16],
): Model {
  const [w1, w2] = widths;
  // tidy: the initial values are temporaries; only the variables must outlive this call.
  const v = (make: () => tf.Tensor, trainable = true) =>
    tf.tidy(() => tf.variable(make(), trainable));
  const kaiming = (shape: number[], fanIn: number, s: number) =>
    v(() => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed + s));
  const params = new Map<string, tf.Variable>([
    ['conv1.weight', kaiming([3, 3, 3, w1], 27, 1)],
    ['bn1.weight', v(() => tf.ones([w1]))],
    ['bn1.bias', v(() => tf.zeros([w1]))],
    ['conv2.weight', kaiming([3, 3, w1, w2], 9 * w1, 2)],
    ['bn2.weight', v(() => tf.ones([w2]))],
    ['bn2.bias', v(() => tf.zeros([w2]))],
    ['fc.weight', kaiming([w2, nClasses], w2, 3)],
    ['fc.bias', v(() => tf.zeros([nClasses]))],
  ]);
  const buffers = new Map<string, tf.Variable>();
  for (const [bn, c] of [
    ['bn1', w1],
    ['bn2', w2],
  ] as const) {
    buffers.set(
      `${bn}.running_mean`,
      v(() => tf.zeros([c]), false),
    );
    buffers.set(
      `${bn}.running_var`,
      v(() => tf.ones([c]), false),
    );
  }
  const p = (k: string) => params.get(k)! as tf.Tensor;
  const groups = [
    ['conv1.weight', 'bn1.weight', 'bn1.bias', 'conv2.weight', 'bn2.weight', 'bn2.bias'],
    ['fc.weight', 'fc.bias'],
  ];
  // Split as a ResNet is (body -> features, head -> logits), for Grad-CAM and precompute.
  const features = (x: tf.Tensor4D, training: boolean) =>
    tf.tidy(() => {
      const h = tf.relu(
        batchNorm(
          model,
          'bn1',
          tf.conv2d(x, p('conv1.weight') as tf.Tensor4D, 2, 'same'),
          training,
        ),
      );
      return tf.relu(
        batchNorm(
          model,
          'bn2',
          tf.conv2d(h, p('conv2.weight') as tf.Tensor4D, 2, 'same'),
          training,
        ),
      );
    });
  const head = {
    forward: (f: tf.Tensor4D) =>
      tf.tidy(
        () =>
          tf.add(
            tf.matMul(globalPool(f, 'avg'), p('fc.weight') as tf.Tensor2D),
            p('fc.bias'),
          ) as tf.Tensor2D,
      ),
  };
  const model: Model = {
    arch: 'tiny-bn-cnn',
    input: UNIT,
    params,
    buffers,
    groups,
    frozenGroups: 0,
    body: {
      arch: 'tiny-bn-cnn',
      input: UNIT,
      params: new Map(groups[0].map((k) => [k, params.get(k)!])),
      buffers,
      nf: w2,
      groups: [groups[0], []],
      forward: features,
    },
    head,
    forward: (x, { training }) => tf.tidy(() => head.forward(features(x, training))),
    dispose: () => [...params.values(), ...buffers.values()].forEach((v) => v.dispose()),
  };
  return model;
}
