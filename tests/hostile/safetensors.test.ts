// Hostile safetensors files and TF.js layers models: headers and manifests that lie about the
// data, alias it, or are not what they claim to be.
import { describe, expect, it } from 'vitest';

import { LIMITS } from '../../src/shared/badFile';
import { readSafetensors } from '../../src/models/weights/safetensors';
import {
  parseModelJson,
  readTfjsLayers,
  type ModelJson,
} from '../../src/models/weights/tfjsLayers';
import { f32bytes, rawSafetensors, refused, tfjsModel } from './craft';

const t = (dtype: string, shape: unknown, offs: unknown) => ({ dtype, shape, data_offsets: offs });
const st =
  (header: unknown, data = f32bytes([1, 2, 3, 4])) =>
  () =>
    readSafetensors(rawSafetensors(header, data), 'w.safetensors');

describe('hostile safetensors', () => {
  it('two entries aliasing the same bytes', () => {
    refused(
      st({ a: t('F32', [4], [0, 16]), b: t('F32', [4], [0, 16]) }),
      /w\.safetensors: tensors 'a' \[0, 16\] and 'b' \[0, 16\] overlap/,
    );
  });

  it('a 4 MB file whose 600 entries all alias its data (2.3 GiB if each were decoded)', () => {
    const header = Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [`t${i}`, t('F32', [2 ** 20], [0, 4 * 2 ** 20])]),
    );
    const f = rawSafetensors(header, new Uint8Array(4 * 2 ** 20));
    refused(() => readSafetensors(f), /overlap/);
  });

  it('partially overlapping spans', () => {
    refused(
      st({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }),
      /'a' \[0, 8\] and 'b' \[4, 12\] overlap/,
    );
  });

  it('negative and fractional offsets', () => {
    refused(
      st({ a: t('F32', [1], [-4, 0]) }),
      /tensor 'a' has data_offsets a list of 2: not two non-negative integers/,
    );
    refused(st({ a: t('F32', [1], [0.5, 4.5]) }), /not two non-negative integers/);
  });

  it('offsets past the data', () => {
    refused(
      st({ a: t('F32', [4], [16, 32]) }),
      /tensor 'a' has data_offsets \[16, 32\] outside the 16 bytes of data/,
    );
  });

  it('a header length of 2^60 and one just past the file', () => {
    refused(
      () => readSafetensors(rawSafetensors({}, new Uint8Array(0), 2n ** 60n)),
      /header length 1152921504606846976 exceeds the file/,
    );
    refused(
      () => readSafetensors(rawSafetensors('{}', new Uint8Array(0), 3n)),
      /header length 3 exceeds the file/,
    );
  });

  it('a header over the cap (inside the file)', () => {
    const n = LIMITS.safetensorsHeaderBytes + 8;
    const f = rawSafetensors(`{${' '.repeat(n - 2)}}`);
    refused(() => readSafetensors(f), /header of 16777224 bytes: over the 16 MiB cap/);
  });

  it('a header that is not JSON, not an object, nested too deep, not UTF-8', () => {
    refused(st('{"a": tru'), /the header is not valid JSON/);
    refused(st('[1, 2]'), /header is not a JSON object/);
    refused(
      st(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      /the header nests deeper than 3 levels/,
    );
    refused(
      () => readSafetensors(Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff])),
      /header is not UTF-8/,
    );
  });

  it('shape x dtype size differing from the span', () => {
    refused(
      st({ a: t('F32', [4], [0, 8]) }),
      /tensor 'a' \(F32 \[4\]\) needs 16 bytes but its data_offsets \[0, 8\] span 8/,
    );
  });

  it('unknown dtypes, including prototype names', () => {
    for (const d of ['F128', 'constructor', '__proto__', 7])
      refused(st({ a: t(d as string, [1], [0, 4]) }), /tensor 'a' has unsupported dtype/);
  });

  it('non-numeric and negative dims', () => {
    refused(st({ a: t('F32', ['4'], [0, 16]) }), /dimension "4" .*not a count/);
    refused(st({ a: t('F32', [-4], [0, 16]) }), /dimension -4 .*not a count/);
  });

  it('an entry that is not an object, metadata that is not strings', () => {
    refused(st({ a: [1, 2] }), /tensor 'a' is a list of 2, not \{dtype, shape, data_offsets\}/);
    refused(st({ __metadata__: { n: 1 } }), /__metadata__ is not a map of strings/);
  });

  it('more tensors than the cap', () => {
    const header = Object.fromEntries(
      Array.from({ length: LIMITS.tensors + 1 }, (_, i) => [`t${i}`, t('F32', [0], [0, 0])]),
    );
    refused(st(header), /20001 tensors: over the cap of 20000/);
  });

  it('Inf weights are refused naming the tensor', () => {
    refused(
      st({ 'fc.bias': t('F32', [4], [0, 16]) }, f32bytes([0, Infinity, 0, 0])),
      /tensor 'fc\.bias' has an infinite value at index 1/,
    );
  });
});

describe('hostile TF.js layers models', () => {
  const read = (json: unknown, shards: Record<string, Uint8Array>) => () =>
    readTfjsLayers(json as ModelJson, (p) => shards[p] ?? new Uint8Array(0), 'model.json');
  const w = (name: string, shape: unknown[]) => ({ name, shape });

  it('a valid one reads back (the builder is right)', () => {
    const sd = readTfjsLayers(tfjsModel([w('d/kernel', [2, 2])]) as ModelJson, () =>
      f32bytes([1, 2, 3, 4]),
    );
    expect([...sd.get('d.weight')!.data]).toEqual([1, 2, 3, 4]);
  });

  it('one shard listed many times (would be concatenated without a cap)', () => {
    const json = tfjsModel([w('d/kernel', [1])], new Array(1000).fill('s.bin'));
    refused(
      read(json, { 's.bin': f32bytes([1]) }),
      /model\.json: the shard 's\.bin' is listed twice in weightsManifest/,
    );
  });

  it('a non-numeric dimension (used to read from offset 0)', () => {
    refused(read(tfjsModel([w('d/kernel', ['a', 2])]), {}), /weight 'd\/kernel' has dimension "a"/);
  });

  it('shards shorter and longer than the weights', () => {
    const json = tfjsModel([w('d/kernel', [4])]);
    refused(
      read(json, { 'group1-shard1of1.bin': f32bytes([1, 2]) }),
      /hold 8 bytes, their weights need 16/,
    );
    refused(
      read(json, { 'group1-shard1of1.bin': f32bytes([1, 2, 3, 4, 5]) }),
      /hold 20 bytes, their weights need 16/,
    );
  });

  it('duplicate weight names, and two names mapping to one key', () => {
    refused(
      read(tfjsModel([w('d/kernel', [1]), w('d/kernel', [1])]), {}),
      /weight 'd\/kernel' is listed twice/,
    );
    const json = tfjsModel([w('a/d/kernel', [1]), w('b/d/kernel', [1])]);
    refused(
      read(json, { 'group1-shard1of1.bin': f32bytes([1, 2]) }),
      /'b\/d\/kernel' and another map to the same key 'd\.weight'/,
    );
  });

  it('quantized and int32 weights', () => {
    refused(
      read(tfjsModel([{ ...w('d/kernel', [1]), quantization: { dtype: 'uint8' } } as never]), {}),
      /is quantized/,
    );
    refused(
      read(tfjsModel([{ ...w('d/kernel', [1]), dtype: 'int32' }]), {}),
      /dtype "int32": only float32/,
    );
  });

  it('no weightsManifest, a manifest of the wrong shape', () => {
    refused(read({ modelTopology: {} }, {}), /no weightsManifest/);
    refused(read({ weightsManifest: [{ paths: 's.bin' }] }, {}), /not \{paths, weights\}/);
  });

  it('model.json that is not JSON, or nests absurdly deep', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    refused(
      () => parseModelJson(bytes('{"weightsManifest": ['), 'm.json'),
      /m\.json: model\.json is not valid JSON/,
    );
    refused(() => parseModelJson(bytes('['.repeat(1e6))), /nests deeper than 64 levels/);
  });

  it('NaN in a shard is refused naming the weight', () => {
    refused(
      read(tfjsModel([w('d/bias', [2])]), { 'group1-shard1of1.bin': f32bytes([0, NaN]) }),
      /tensor 'd\/bias' has NaN at index 1/,
    );
  });
});
