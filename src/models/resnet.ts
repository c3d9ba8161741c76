// ResNets as functional tfjs code over PyTorch-keyed parameter Maps.
//  - torchvision layout (ResNet-18/34/50, v1.5: the stride sits in the 3x3 of a bottleneck),
//    keys exactly torchvision's state_dict keys: conv1.weight, bn1.running_mean,
//    layer1.0.conv1.weight, layer2.0.downsample.0.weight, fc.weight, ...
//  - resnet-tiny: the same layout with 1 block per stage and narrow widths, for tests.
//  - keras-resnet50: see kerasResnet50.ts.
// A ResNet is a Body (stem + 4 stages -> NHWC features) plus a head; vision_learner swaps the head.
import * as tf from '@tensorflow/tfjs';

import type { InputSpec } from '../data/normalize';
import { IMAGENET_TORCH, type Model } from './model';
import {
  addBatchNorm,
  addConv,
  addLinear,
  batchNorm,
  BN_EPS,
  BN_MOMENTUM,
  conv,
  globalPool,
  kaimingNormal,
  linear,
  newStore,
  type Init,
  type Store,
} from './layers';
import type { BnPost } from '../engine/kernels/batchNormOp';

export interface Body extends Store {
  arch: string;
  input: InputSpec;
  /** Channels of the feature map the body returns. */
  nf: number;
  /** fastai's ResNet splitter on the body: [body[:6] (stem, layer1, layer2), body[6:] (layer3, layer4)]. */
  groups: [string[], string[]];
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

interface TorchSpec {
  bottleneck: boolean;
  blocks: [number, number, number, number];
  /** planes of the 4 stages (64,128,256,512 in torchvision). */
  widths: [number, number, number, number];
  stem: number;
}

export const TORCH_SPECS: Record<string, TorchSpec> = {
  resnet18: { bottleneck: false, blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], stem: 64 },
  resnet34: { bottleneck: false, blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], stem: 64 },
  resnet50: { bottleneck: true, blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], stem: 64 },
  'resnet-tiny': { bottleneck: false, blocks: [1, 1, 1, 1], widths: [4, 8, 8, 16], stem: 4 },
};

/** The torchvision ResNet body (everything before avgpool/fc), seeded kaiming init (fan_out, as torchvision). */
export function torchvisionBody(arch: string, seed = 0): Body {
  const spec = TORCH_SPECS[arch];
  if (!spec)
    throw new Error(
      `unknown architecture '${arch}' (known: ${Object.keys(TORCH_SPECS).join(', ')})`,
    );
  const store = newStore();
  const normal = kaimingNormal(seed);
  // torchvision: kaiming_normal_(mode='fan_out', nonlinearity='relu') for every conv.
  const fanOut: Init = (shape) => normal(shape, shape[0] * shape[1] * shape[3]);
  const exp = spec.bottleneck ? 4 : 1;
  const plan: { prefix: string; stride: number; down: boolean }[] = [];
  tf.tidy(() => {
    addConv(store, 'conv1', 7, 3, spec.stem, fanOut);
    addBatchNorm(store, 'bn1', spec.stem);
    let cin = spec.stem;
    spec.blocks.forEach((n, s) => {
      const planes = spec.widths[s];
      for (let b = 0; b < n; b++) {
        const prefix = `layer${s + 1}.${b}`;
        const stride = b === 0 && s > 0 ? 2 : 1;
        const down = b === 0 && (stride !== 1 || cin !== planes * exp);
        if (spec.bottleneck) {
          addConv(store, `${prefix}.conv1`, 1, cin, planes, fanOut);
          addBatchNorm(store, `${prefix}.bn1`, planes);
          addConv(store, `${prefix}.conv2`, 3, planes, planes, fanOut);
          addBatchNorm(store, `${prefix}.bn2`, planes);
          addConv(store, `${prefix}.conv3`, 1, planes, planes * exp, fanOut);
          addBatchNorm(store, `${prefix}.bn3`, planes * exp);
        } else {
          addConv(store, `${prefix}.conv1`, 3, cin, planes, fanOut);
          addBatchNorm(store, `${prefix}.bn1`, planes);
          addConv(store, `${prefix}.conv2`, 3, planes, planes, fanOut);
          addBatchNorm(store, `${prefix}.bn2`, planes);
        }
        if (down) {
          addConv(store, `${prefix}.downsample.0`, 1, cin, planes * exp, fanOut);
          addBatchNorm(store, `${prefix}.downsample.1`, planes * exp);
        }
        plan.push({ prefix, stride, down });
        cin = planes * exp;
      }
    });
  });
  const keys = [...store.params.keys()];
  const early = (k: string) => /^(conv1|bn1|layer1|layer2)\./.test(k);
  return {
    arch,
    input: IMAGENET_TORCH,
    ...store,
    nf: spec.widths[3] * exp,
    groups: [keys.filter(early), keys.filter((k) => !early(k))],
    forward(x, training) {
      // BN with its following residual add / ReLU, fused into one kernel when available.
      const bn = (p: string, h: tf.Tensor4D, post?: BnPost) =>
        batchNorm(store, p, h, training, BN_EPS, BN_MOMENTUM, post);
      const R = { relu: true };
      let h = bn('bn1', conv(store, 'conv1', x, 2, 3), R);
      h = tf.maxPool(h, 3, 2, 1);
      for (const { prefix: p, stride, down } of plan) {
        const idn = down
          ? bn(`${p}.downsample.1`, conv(store, `${p}.downsample.0`, h, stride, 0))
          : h;
        let y: tf.Tensor4D;
        const out = { relu: true, residual: idn };
        if (spec.bottleneck) {
          y = bn(`${p}.bn1`, conv(store, `${p}.conv1`, h, 1, 0), R);
          y = bn(`${p}.bn2`, conv(store, `${p}.conv2`, y, stride, 1), R);
          y = bn(`${p}.bn3`, conv(store, `${p}.conv3`, y, 1, 0), out);
        } else {
          y = bn(`${p}.bn1`, conv(store, `${p}.conv1`, h, stride, 1), R);
          y = bn(`${p}.bn2`, conv(store, `${p}.conv2`, y, 1, 1), out);
        }
        h = y;
      }
      return h;
    },
  };
}

/** A body plus a classifier head into one Model (the head's params are the last layer group). */
export function withHead(
  body: Body,
  head: Store & { forward(f: tf.Tensor4D, training: boolean): tf.Tensor2D },
  arch = body.arch,
): Model {
  const params = new Map([...body.params, ...head.params]);
  const buffers = new Map([...body.buffers, ...head.buffers]);
  return {
    arch,
    input: body.input,
    params,
    buffers,
    groups: [...body.groups, [...head.params.keys()]],
    frozenGroups: 0,
    body,
    head,
    forward: (x, { training }) => tf.tidy(() => head.forward(body.forward(x, training), training)),
    dispose() {
      params.forEach((v) => v.dispose());
      buffers.forEach((v) => v.dispose());
    },
  };
}

/** The classifier a torchvision/Keras ResNet ends with: global average pool + Linear. */
export function poolLinearHead(prefix: string, nf: number, nClasses: number, seed: number) {
  const store = newStore();
  // nn.Linear's default init: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
  const bound = 1 / Math.sqrt(nf);
  tf.tidy(() => {
    addLinear(store, prefix, nf, nClasses, (shape) =>
      tf.randomUniform(shape, -bound, bound, 'float32', seed),
    );
    store.params
      .get(`${prefix}.bias`)!
      .assign(tf.randomUniform([nClasses], -bound, bound, 'float32', seed + 1));
  });
  return {
    ...store,
    forward: (f: tf.Tensor4D) => linear(store, prefix, globalPool(f, 'avg')),
  };
}

/** torchvision's resnet18/34/50 (or resnet-tiny) with its `fc` classifier. */
export function torchvisionResnet(arch: string, nClasses = 1000, seed = 0): Model {
  const body = torchvisionBody(arch, seed);
  return withHead(body, poolLinearHead('fc', body.nf, nClasses, seed + 1_000_003));
}
