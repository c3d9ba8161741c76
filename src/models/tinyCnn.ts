// A tiny CNN for the demo and the tests: two strided 3x3 convs, global average pool, linear.
// Parameters are plain tf.Variables named like PyTorch state-dict keys.
import * as tf from '@tensorflow/tfjs';

import { globalPool } from './layers';
import { UNIT, type Model } from './model';

export function tinyCnn(nClasses: number, seed: number, widths: [number, number] = [8, 16]): Model {
  const [w1, w2] = widths;
  // Kaiming-normal init (fan_in, ReLU gain), as PyTorch's conv layers use for ResNets.
  const kaiming = (shape: number[], fanIn: number, s: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed + s));
  const params = new Map<string, tf.Variable>([
    ['conv1.weight', kaiming([3, 3, 3, w1], 27, 1)],
    ['conv1.bias', tf.variable(tf.zeros([w1]))],
    ['conv2.weight', kaiming([3, 3, w1, w2], 9 * w1, 2)],
    ['conv2.bias', tf.variable(tf.zeros([w2]))],
    ['fc.weight', kaiming([w2, nClasses], w2, 3)],
    ['fc.bias', tf.variable(tf.zeros([nClasses]))],
  ]);
  const p = (k: string) => params.get(k)!;
  return {
    arch: 'tiny-cnn',
    input: UNIT,
    params,
    buffers: new Map(),
    groups: [[...params.keys()].filter((k) => !k.startsWith('fc.')), ['fc.weight', 'fc.bias']],
    frozenGroups: 0,
    forward: (x) =>
      tf.tidy(() => {
        let h = tf.relu(
          tf.add(tf.conv2d(x, p('conv1.weight') as tf.Tensor4D, 2, 'same'), p('conv1.bias')),
        );
        h = tf.relu(
          tf.add(
            tf.conv2d(h as tf.Tensor4D, p('conv2.weight') as tf.Tensor4D, 2, 'same'),
            p('conv2.bias'),
          ),
        );
        const pooled = globalPool(h as tf.Tensor4D, 'avg');
        return tf.add(
          tf.matMul(pooled, p('fc.weight') as tf.Tensor2D),
          p('fc.bias'),
        ) as tf.Tensor2D;
      }),
    dispose: () => params.forEach((v) => v.dispose()),
  };
}
