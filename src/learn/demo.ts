// The one-click demo: train the tiny CNN on procedurally drawn shapes, in the worker.
// NOTE: a plain loop for the foundation; the Learner (callbacks, schedules) takes it over.
import * as tf from '@tensorflow/tfjs';
import { DEMO_CLASSES, makeShapes } from '../data/demoShapes';
import { tinyCnn } from '../models/tinyCnn';
import type { DemoTrainArgs, DemoTrainResult, WorkerEvent } from '../worker/protocol';

export async function trainDemo(
  args: DemoTrainArgs,
  emit: (e: WorkerEvent) => void,
  shouldStop: () => boolean,
): Promise<DemoTrainResult> {
  const t0 = performance.now();
  const model = tinyCnn(DEMO_CLASSES.length, args.seed);
  const opt = tf.train.adam(args.lr);
  const losses: number[] = [];
  let stopped = false;
  for (let step = 0; step < args.steps; step++) {
    if (shouldStop()) {
      stopped = true;
      break;
    }
    const batch = makeShapes(args.batchSize, args.size, args.seed * 100003 + step);
    const x = tf.tensor4d(batch.pixels, [batch.n, batch.size, batch.size, 3]);
    const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), DEMO_CLASSES.length);
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true })) as tf.Scalar, true)!;
    const value = (await loss.data())[0];
    tf.dispose([x, y, loss]);
    losses.push(value);
    emit({ type: 'batch', step: step + 1, of: args.steps, loss: value, lr: args.lr });
  }
  const valid = makeShapes(64, args.size, args.seed + 7);
  const accuracy = tf.tidy(() => {
    const x = tf.tensor4d(valid.pixels, [valid.n, valid.size, valid.size, 3]);
    const pred = model.forward(x, { training: false }).argMax(1);
    return pred.equal(tf.tensor1d(valid.labels, 'int32')).mean();
  });
  const acc = (await accuracy.data())[0];
  accuracy.dispose();
  opt.dispose();
  model.dispose();
  return { losses, accuracy: acc, stopped, seconds: (performance.now() - t0) / 1000 };
}
