// The training step's gradients: tf.variableGrads over the trainable params, keyed back to the
// model's param keys, without tfjs 4.22's tape leak on a throwing forward.
import * as tf from '@tensorflow/tfjs';
import { trainableKeys, type Model } from '../models/model';

/** tf.variableGrads, without a tfjs 4.22 leak: the tape keeps clones of the forward's tensors
 * for the backward pass and frees them after it, so a forward or loss that throws (out of
 * memory) leaves them behind. Freed here before the error goes on. */
function variableGrads(f: () => tf.Scalar, vars: tf.Variable[]) {
  try {
    return tf.variableGrads(f, vars);
  } catch (e) {
    const state = tf.engine().state;
    if (state.gradientDepth === 0 && state.activeTape) {
      for (const node of state.activeTape) tf.dispose(node.saved ?? []);
      state.activeTape = [];
    }
    throw e;
  }
}

/** The loss `f` computes and its gradients by param key, for the model's trainable params
 * (or for `keys`: bench-recipe trains a frozen body without its BN params). */
export function lossAndGrads(model: Model, f: () => tf.Scalar, keys = trainableKeys(model)) {
  const vars = keys.map((k) => model.params.get(k)!);
  const { value, grads } = variableGrads(f, vars);
  const keyOf = new Map([...model.params].map(([k, v]) => [v.name, k]));
  return { loss: value, grads: new Map(Object.entries(grads).map(([n, g]) => [keyOf.get(n)!, g])) };
}
