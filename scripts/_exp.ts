import * as tf from '@tensorflow/tfjs';
import { makeShapes } from '../src/data/demoShapes';
await tf.setBackend('cpu');
const avg = (a: number[]) => a.reduce((p, c) => p + c, 0) / a.length;
for (const lr of [3e-3, 1e-2]) {
  const v = (s: number[], fan: number, seed: number) => tf.variable(tf.randomNormal(s, 0, Math.sqrt(2 / fan), 'float32', seed));
  const w1 = v([3,3,3,16],27,1), w2 = v([3,3,16,32],144,2), w3=v([3,3,32,32],288,4), fc = v([64,3],64,3), b1=tf.variable(tf.zeros([16])), b2=tf.variable(tf.zeros([32])), b3=tf.variable(tf.zeros([32])), fb=tf.variable(tf.zeros([3]));
  const f = (x: tf.Tensor4D) => { let h: tf.Tensor4D = tf.relu(tf.conv2d(x,w1 as tf.Tensor4D,1,'same').add(b1)); h = tf.relu(tf.conv2d(h,w2 as tf.Tensor4D,2,'same').add(b2)); h=tf.relu(tf.conv2d(h,w3 as tf.Tensor4D,2,'same').add(b3)); const p = tf.concat([tf.mean(h,[1,2]), tf.max(h,[1,2])],1); return p.matMul(fc as tf.Tensor2D).add(fb); };
  const opt = tf.train.adam(lr); const L: number[] = [];
  for (let s = 0; s < 60; s++) {
    const b = makeShapes(16, 32, 100003 + s);
    const x = tf.tensor4d(b.pixels, [16, 32, 32, 3]); const y = tf.oneHot(tf.tensor1d(b.labels, 'int32'), 3);
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, f(x)) as tf.Scalar, true)!;
    L.push(l.dataSync()[0]); tf.dispose([x, y, l]);
  }
  console.log(lr, avg(L.slice(0, 10)).toFixed(3), avg(L.slice(20, 30)).toFixed(3), avg(L.slice(-10)).toFixed(3));
}
