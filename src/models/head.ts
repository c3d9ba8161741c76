// Transfer-learning surgery, as fastai's `vision_learner`: keep the pretrained body (cut before
// the pooling + classifier), add `create_head(nf, n_out)`:
//   AdaptiveConcatPool2d (max, avg) -> Flatten -> BatchNorm1d(2nf) -> Dropout(0.25)
//   -> Linear(2nf, 512, bias=False) -> ReLU -> BatchNorm1d(512) -> Dropout(0.5)
//   -> Linear(512, n_out, bias=False)
// (LinBnDrop uses `bias=not bn`, and every LinBnDrop of create_head has bn=True.)
// Keys follow the fastai head's nn.Sequential indices under `head.`: head.2 (BN), head.4 (Linear),
// head.6 (BN), head.8 (Linear). Init like fastai: `apply_init(head, kaiming_normal_)` for the
// linear weights; fastai's BatchNorm starts with weight 1 and bias 1e-3.
import * as tf from '@tensorflow/tfjs';

import type { Model } from './model';
import {
  addBatchNorm,
  addLinear,
  batchNorm,
  dropout,
  globalPool,
  kaimingNormal,
  linear,
  newStore,
} from './layers';
import { withHead, type Body } from './resnet';

export interface HeadOptions {
  /** Hidden sizes between the pooled features and the output (fastai lin_ftrs, default [512]). */
  linFtrs?: number[];
  /** Dropout of the last layer; earlier ones get half (fastai ps=0.5 -> [0.25, 0.5]). */
  ps?: number;
  seed?: number;
}

export function createHead(nf: number, nOut: number, opts: HeadOptions = {}) {
  const sizes = [nf * 2, ...(opts.linFtrs ?? [512]), nOut];
  const ps = sizes
    .slice(2)
    .map(() => (opts.ps ?? 0.5) / 2)
    .concat(opts.ps ?? 0.5);
  const store = newStore();
  const init = kaimingNormal(opts.seed ?? 0);
  // Sequential index of each LinBnDrop's BN and Linear: pool=0, flatten=1, then BN, Dropout,
  // Linear (, ReLU) per block.
  const blocks: { bn: string; lin: string; p: number; relu: boolean }[] = [];
  let idx = 2;
  tf.tidy(() => {
    for (let i = 0; i < sizes.length - 1; i++) {
      const relu = i < sizes.length - 2;
      const bn = `head.${idx}`;
      const lin = `head.${idx + (ps[i] > 0 ? 2 : 1)}`;
      addBatchNorm(store, bn, sizes[i], 1e-3);
      addLinear(store, lin, sizes[i], sizes[i + 1], init, false);
      blocks.push({ bn, lin, p: ps[i], relu });
      idx += (ps[i] > 0 ? 3 : 2) + (relu ? 1 : 0);
    }
  });
  return {
    ...store,
    forward(f: tf.Tensor4D, training: boolean): tf.Tensor2D {
      // AdaptiveConcatPool2d: cat([max, avg], channels).
      let h = tf.concat([globalPool(f, 'max'), globalPool(f, 'avg')], 1) as tf.Tensor2D;
      for (const b of blocks) {
        h = dropout(batchNorm(store, b.bn, h, training), b.p, training);
        h = linear(store, b.lin, h);
        if (b.relu) h = tf.relu(h);
      }
      return h;
    },
  };
}

/** fastai `vision_learner(dls, arch)`'s model: body + new head, frozen like fastai (all but the head). */
export function visionModel(body: Body, nOut: number, opts: HeadOptions = {}): Model {
  const model = withHead(body, createHead(body.nf, nOut, opts));
  model.frozenGroups = model.groups.length - 1;
  return model;
}

/**
 * fastai `create_body`: cuts the classifier (torchvision `fc`, Keras `fc1000`) off a ResNet built
 * here. The classifier's tensors are disposed; the body's (pretrained) tensors move on unchanged.
 */
export function cutBody(model: Model): Body {
  const body = model.body;
  if (!body)
    throw new Error(`'${model.arch}' has no body to cut (not a ResNet built by the studio)`);
  for (const [k, v] of [...model.params, ...model.buffers])
    if (!body.params.has(k) && !body.buffers.has(k)) v.dispose();
  return body;
}
