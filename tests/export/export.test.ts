// Export formats, the pure and CPU-checkable parts: the safetensors writer (F32 + I64) against the
// studio's reader, torchvision key names and layouts, fastai head layout in config.json, the
// session archive's layout and validation, and the TF.js LayersModel against the studio model
// (tfjs cpu backend, tiny shapes).
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  headLayout,
  exportConfig,
  torchStateDict,
  safetensorsExport,
} from '../../src/export/torchExport';
import { packSession, unpackSession, SessionArchiveError } from '../../src/export/sessionArchive';
import { buildLayersModel } from '../../src/export/tfjsExport';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { cutBody, visionModel } from '../../src/models/head';
import { kerasResnet50Body } from '../../src/models/kerasResnet50';
import { normalizeInput } from '../../src/data/normalize';
import { IMAGENET_TORCH, type Model } from '../../src/models/model';
import { torchvisionResnet } from '../../src/models/resnet';
import {
  f32,
  i64,
  readSafetensors,
  writeSafetensorsTyped,
} from '../../src/models/weights/safetensors';
import type { StateDict } from '../../src/models/weights/tensors';
import { sessionParts as parts } from '../hostile/craft';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rawOf = (m: Model): StateDict =>
  new Map(
    [...m.params, ...m.buffers].map(([k, v]) => [
      k,
      { shape: [...v.shape], data: v.dataSync() as Float32Array },
    ]),
  );

/** Random BN stats and affine params so eval-mode BN is not the identity. */
function perturbBn(m: Model, seed = 5) {
  let s = seed;
  for (const [k, v] of [...m.params, ...m.buffers])
    if (
      /(running_mean|running_var|bn\d?\.weight|bn\d?\.bias|^head\.\d+\.(weight|bias)$)/.test(k) &&
      v.rank === 1
    )
      v.assign(
        k.endsWith('running_var')
          ? tf.randomUniform(v.shape, 0.5, 2, 'float32', s++)
          : tf.randomNormal(v.shape, 0, 0.2, 'float32', s++),
      );
}

describe('safetensors writer', () => {
  it('round-trips F32 and I64 tensors through the reader, data 8-byte aligned', () => {
    const bytes = writeSafetensorsTyped(
      new Map([
        ['a.weight', f32([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6.5]))],
        ['a.num_batches_tracked', i64([], [42])],
        ['b', f32([1], Float32Array.from([-0.25]))],
      ]),
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('a.weight')).toEqual({
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6.5]),
    });
    expect(tensors.get('a.num_batches_tracked')).toEqual({
      shape: [],
      data: Float32Array.from([42]),
    });
    expect([...tensors.get('b')!.data]).toEqual([-0.25]);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['a.num_batches_tracked'].dtype).toBe('I64');
  });
  it('refuses a shape that does not hold the data', () => {
    expect(() => writeSafetensorsTyped(new Map([['x', f32([3], new Float32Array(2))]]))).toThrow(
      /shape/,
    );
  });
});

describe('torchvision naming and layouts', () => {
  it('resnet-tiny + fastai head: torchvision body keys, OIHW convs, [out,in] linears, num_batches_tracked', () => {
    const m = visionModel(cutBody(torchvisionResnet('resnet-tiny', 1000, 1)), 3, { seed: 2 });
    const raw = rawOf(m);
    const sd = torchStateDict(raw, 7);
    // Body keys exactly torchvision's; head under head.<i>.
    for (const k of [
      'conv1.weight',
      'bn1.weight',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'layer1.0.conv1.weight',
      'layer2.0.downsample.0.weight',
      'layer2.0.downsample.1.num_batches_tracked',
      'head.2.running_mean',
      'head.2.num_batches_tracked',
      'head.4.weight',
      'head.8.weight',
    ])
      expect(sd.has(k), k).toBe(true);
    expect([...sd.keys()].some((k) => k.startsWith('fc.'))).toBe(false);
    const conv = raw.get('layer1.0.conv1.weight')!; // HWIO [3,3,4,4]
    const t = sd.get('layer1.0.conv1.weight')!;
    const [kh, kw, ci, co] = conv.shape;
    expect(t.shape).toEqual([co, ci, kh, kw]);
    // element (o=1, i=2, h=0, w=2) == ours (h=0, w=2, i=2, o=1)
    expect(t.data[((1 * ci + 2) * kh + 0) * kw + 2]).toBe(
      conv.data[((0 * kw + 2) * ci + 2) * co + 1],
    );
    const lin = raw.get('head.8.weight')!; // [512, 3]
    expect(sd.get('head.8.weight')!.shape).toEqual([3, 512]);
    expect(sd.get('head.8.weight')!.data[1 * 512 + 5]).toBe(lin.data[5 * 3 + 1]);
    expect(sd.get('bn1.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
    expect(Number((sd.get('bn1.num_batches_tracked')!.data as BigInt64Array)[0])).toBe(7);
    m.dispose();
  });

  it('config.json describes fastai create_head index by index', () => {
    const m = visionModel(cutBody(torchvisionResnet('resnet-tiny', 1000, 1)), 3, { seed: 2 });
    const raw = rawOf(m);
    expect(headLayout(raw).map((l) => `${l.index}:${l.type}`)).toEqual([
      '0:AdaptiveConcatPool2d',
      '1:Flatten',
      '2:BatchNorm1d',
      '3:Dropout',
      '4:Linear',
      '5:ReLU',
      '6:BatchNorm1d',
      '7:Dropout',
      '8:Linear',
    ]);
    const cfg = exportConfig(raw, {
      arch: 'resnet-tiny',
      classes: ['a', 'b', 'c'],
      multiLabel: false,
      size: 32,
      input: IMAGENET_TORCH,
      bnEps: 1e-5,
    });
    expect(cfg).toMatchObject({
      architecture: 'resnet-tiny',
      key_naming: 'torchvision',
      num_classes: 3,
      input_size: [32, 32],
      normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], bgr: false },
      head: { type: 'fastai', prefix: 'head.' },
    });
    const layers = (
      cfg.head as {
        layers: {
          type: string;
          p?: number;
          in_features?: number;
          out_features?: number;
          bias?: boolean;
        }[];
      }
    ).layers;
    expect(layers[2]).toMatchObject({ type: 'BatchNorm1d', num_features: 32 });
    expect(layers[3]).toMatchObject({ type: 'Dropout', p: 0.25 });
    expect(layers[4]).toMatchObject({
      type: 'Linear',
      in_features: 32,
      out_features: 512,
      bias: false,
    });
    expect(layers[7]).toMatchObject({ type: 'Dropout', p: 0.5 });
    expect(layers[8]).toMatchObject({ type: 'Linear', in_features: 512, out_features: 3 });
    const files = safetensorsExport(raw, {
      arch: 'resnet-tiny',
      classes: ['a', 'b', 'c'],
      multiLabel: false,
      size: 32,
      input: IMAGENET_TORCH,
      bnEps: 1e-5,
    });
    expect(files.map((f) => f.name)).toEqual(['model.safetensors', 'config.json']);
    expect(readSafetensors(files[0].bytes).metadata).toMatchObject({
      format: 'pt',
      key_naming: 'torchvision',
    });
    m.dispose();
  });
});

describe('session archive', () => {
  it('packs every part into named entries and reads them back exactly', () => {
    const bytes = packSession(parts() as never);
    expect(Object.keys(unzipSync(bytes)).sort()).toEqual([
      'classes.json',
      'history.json',
      'manifest.json',
      'model.safetensors',
      'optimizer.json',
      'optimizer.safetensors',
      'settings.json',
      'split.json',
    ]);
    const p = unpackSession(bytes);
    expect(p.classes).toEqual(['x', 'y']);
    expect([...p.weights.get('fc.weight')!.data]).toEqual([1, 2, 3, 4]);
    expect(p.optimizer!.json.state[0].entries).toEqual([
      ['grad_avg', { tensor: 'fc.weight/grad_avg' }],
      ['step', 2],
      ['do_wd', true],
    ]);
    expect([...p.optimizer!.tensors.get('fc.weight/grad_avg')!.data]).toEqual([
      ...Float32Array.from([0.1, 0.2, 0.3, 0.4]),
    ]);
    expect(p.history.batches).toHaveLength(2);
    // NaN losses went out as JSON's null and come back as NaN.
    expect(p.history).toEqual(parts().history);
    expect(p.history.batches[0].loss).toBeNaN();
    expect(p.manifest.entries).toContain('optimizer.safetensors');
  });

  it('rejects a corrupt zip, a missing entry, a foreign zip, a missing optimizer tensor with clear messages', () => {
    const good = packSession(parts() as never);
    expect(() => unpackSession(good.slice(0, good.length >> 1))).toThrow(SessionArchiveError);
    expect(() => unpackSession(strToU8('hello, not a zip'))).toThrow(/not a readable \.zip/);
    const files = unzipSync(good);
    delete files['history.json'];
    expect(() => unpackSession(zipSync(files))).toThrow(/missing history\.json/);
    expect(() => unpackSession(zipSync({ 'cat.jpg': strToU8('meow') }))).toThrow(/Studio session/);
    const f2 = unzipSync(good);
    f2['optimizer.json'] = strToU8(
      JSON.stringify({
        hypers: [{}],
        state: [{ key: 'fc.weight', entries: [['sqr_avg', { tensor: 'nope' }]] }],
      }),
    );
    expect(() => unpackSession(zipSync(f2))).toThrow(/optimizer state tensor 'nope'/);
    const f3 = unzipSync(good);
    f3['settings.json'] = strToU8('{not json');
    expect(() => unpackSession(zipSync(f3))).toThrow(/settings\.json is not valid JSON/);
  });
});

describe('TF.js LayersModel equals the studio model (cpu)', () => {
  async function check(m: Model, size: number, multiLabel = false) {
    perturbBn(m);
    const x = tf.randomUniform([2, size, size, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const ref = tf.tidy(() => {
      const l = m.forward(normalizeInput(x, m.input, tf), { training: false });
      return multiLabel ? tf.sigmoid(l) : tf.softmax(l);
    });
    const lm = buildLayersModel(m, {
      arch: m.arch,
      classes: [],
      multiLabel,
      size,
      input: m.input,
      bnEps: m.arch === 'keras-resnet50' ? 1e-3 : 1e-5,
    });
    const got = lm.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0];
    tf.dispose([x, ref, got]);
    lm.dispose();
    m.dispose();
    return diff;
  }
  it('resnet-tiny with the fastai head', async () => {
    expect(
      await check(
        visionModel(cutBody(torchvisionResnet('resnet-tiny', 1000, 1)), 4, { seed: 3 }),
        32,
      ),
    ).toBeLessThan(1e-5);
  });
  it('resnet-tiny with its fc head, multi-label', async () => {
    expect(await check(torchvisionResnet('resnet-tiny', 5, 1), 24, true)).toBeLessThan(1e-5);
  });
  it('tiny-bn-cnn', async () => {
    expect(await check(tinyBnCnn(3, 1), 16)).toBeLessThan(1e-5);
  });
  it('Keras ResNet50 body with the fastai head (caffe BGR input)', async () => {
    expect(await check(visionModel(kerasResnet50Body(1), 2, { seed: 3 }), 32)).toBeLessThan(1e-4);
  });
});
