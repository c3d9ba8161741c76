import * as tf from '@tensorflow/tfjs';

/** A 3x3 'same' conv's tfjs info on a [2, h, w, cin] input (batch 2: the batch offsets show). */
export const convInfo = (h: number, w: number, cin: number, cout: number, stride = 1) =>
  tf.backend_util.computeConv2DInfo(
    [2, h, w, cin],
    [3, 3, cin, cout],
    [stride, stride],
    [1, 1],
    'same',
    undefined,
    false,
    'channelsLast',
  );
