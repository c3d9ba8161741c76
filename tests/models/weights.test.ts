// Weight readers/writers and the all-or-nothing loader.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { torchvisionResnet } from '../../src/models/resnet';
import { unpickle } from '../../src/models/weights/pickle';
import { readPth } from '../../src/models/weights/pth';
import { readSafetensors, writeSafetensors } from '../../src/models/weights/safetensors';
import { exportStateDict, loadStateDict } from '../../src/models/weights/stateDict';
import { kerasKey } from '../../src/models/weights/tfjsLayers';

const FIX = 'tests/models/fixtures';
const MARKER = '/tmp/studio-evil-pth-ran'; // what evil.pth's pickle would `touch` via os.system

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata, 8-byte aligned data', () => {
    const sd = new Map([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
      ['b', { shape: [1], data: Float32Array.from([Math.PI]) }],
    ]);
    const bytes = writeSafetensors(sd, { arch: 'x' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ arch: 'x' });
    expect(back.tensors.get('a.weight')).toEqual(sd.get('a.weight'));
    expect(back.tensors.get('b')!.data[0]).toBeCloseTo(Math.PI, 6);
  });
  it('rejects files that are not safetensors with a reason', () => {
    expect(() => readSafetensors(new TextEncoder().encode('hello world, not weights'))).toThrow(
      /not a safetensors file/,
    );
  });
});

describe('PyTorch .pth', () => {
  it('reads a torch.save state_dict: float32, float64, a strided view, int64', () => {
    const sd = readPth(readFileSync(`${FIX}/tiny.pth`));
    const ref = JSON.parse(readFileSync(`${FIX}/tiny.json`, 'utf8')) as Record<
      string,
      { shape: number[]; data: number[] }
    >;
    expect([...sd.keys()]).toEqual(Object.keys(ref));
    for (const [k, { shape, data }] of Object.entries(ref)) {
      expect(sd.get(k)!.shape, k).toEqual(shape);
      [...sd.get(k)!.data].forEach((v, i) => expect(v).toBeCloseTo(data[i], 5));
    }
  });

  it('refuses a pickle that references os.system, naming it, and runs nothing', () => {
    rmSync(MARKER, { force: true });
    expect(() => readPth(readFileSync(`${FIX}/evil.pth`))).toThrow(
      /posix\.system.*Nothing was executed/,
    );
    expect(existsSync(MARKER)).toBe(false);
  });

  it('refuses any global outside the allow-list, e.g. builtins.eval via STACK_GLOBAL', () => {
    // PROTO 4, SHORT_BINUNICODE 'builtins', SHORT_BINUNICODE 'eval', STACK_GLOBAL, ...
    const enc = (s: string) => [0x8c, s.length, ...new TextEncoder().encode(s)];
    const pkl = Uint8Array.from([
      0x80,
      4,
      ...enc('builtins'),
      ...enc('eval'),
      0x93,
      ...enc('1+1'),
      0x85,
      0x52,
      0x2e,
    ]);
    expect(() => unpickle(pkl, () => null)).toThrow(/'builtins\.eval'/);
  });
});

describe('loading into a model', () => {
  it('maps Keras weight names to our keys', () => {
    expect(kerasKey('bn2a_branch1/moving_variance')).toBe('bn2a_branch1.running_var');
    expect(kerasKey('res3b_branch2a/kernel')).toBe('res3b_branch2a.weight');
    expect(kerasKey('bn_conv1/gamma')).toBe('bn_conv1.weight');
    expect(kerasKey('fc1000/bias:0')).toBe('fc1000.bias');
  });

  it('round-trips a model through PyTorch-layout safetensors', async () => {
    const a = torchvisionResnet('resnet-tiny', 3, 1);
    const b = torchvisionResnet('resnet-tiny', 3, 2);
    const sd = await exportStateDict(a);
    expect(sd.get('conv1.weight')!.shape).toEqual([4, 3, 7, 7]); // OIHW, as torchvision
    expect(sd.get('fc.weight')!.shape).toEqual([3, 16]); // [out, in]
    loadStateDict(b, readSafetensors(writeSafetensors(sd)).tensors, 'torch');
    for (const [k, v] of a.params) expect(await b.params.get(k)!.data(), k).toEqual(await v.data());
    a.dispose();
    b.dispose();
  });

  it('names missing/extra keys and shape mismatches in one error and leaves the model untouched', async () => {
    const model = torchvisionResnet('resnet-tiny', 3, 1);
    const before = await model.params.get('conv1.weight')!.data();
    const sd = await exportStateDict(torchvisionResnet('resnet-tiny', 5, 2));
    sd.delete('layer1.0.bn1.running_mean');
    sd.set('head.extra', { shape: [1], data: new Float32Array(1) });
    let message = '';
    try {
      loadStateDict(model, sd, 'torch', 'other.safetensors');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/other\.safetensors do not fit 'resnet-tiny'/);
    expect(message).toMatch(/missing keys: layer1\.0\.bn1\.running_mean/);
    expect(message).toMatch(/unexpected keys: head\.extra/);
    expect(message).toMatch(/fc\.weight: file \[5,16\] vs model \[3,16\]/);
    expect(message).toMatch(/unchanged/);
    expect(await model.params.get('conv1.weight')!.data()).toEqual(before);
    model.dispose();
  });
});
