// Hostile .pth checkpoints: tensor views that do not fit their storage, and the zip around them
// (declared sizes that lie, overlapping entries, bombs). One crafted valid checkpoint first, so
// the builders are known to write what torch.save writes.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { readPth } from '../../src/models/weights/pth';
import { openZip } from '../../src/models/weights/zip';
import { f32bytes, makePth, makeZip, refused, statePickle, type View } from './craft';

const pth = (views: View[], storages: Record<string, Uint8Array>) =>
  makePth(statePickle(views), storages);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('crafted checkpoints', () => {
  it('a valid one reads back, strided view included (the builders are right)', () => {
    const sd = readPth(
      pth(
        [
          { key: 'a', storage: '0', numel: 6, shape: [2, 3] },
          { key: 'aT', storage: '0', numel: 6, shape: [3, 2], stride: [1, 3] },
        ],
        { 0: f32bytes(range(6)) },
      ),
    );
    expect([...sd.get('a')!.data]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...sd.get('aT')!.data]).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('tensor views checked against their storage', () => {
  const one = (v: Partial<View>, storage = f32bytes(range(16)), numel = 16) =>
    pth([{ key: 'w', storage: '0', numel, shape: [16], ...v }], { 0: storage });

  it('stride 0 turning 4 bytes into 400 MB', () => {
    refused(
      () => readPth(one({ shape: [1e8], stride: [0] }, f32bytes([1]), 1)),
      /tensor 'w' has shape \[100000000\] \(100000000 values\) but its storage holds 1/,
    );
  });

  it('many stride-0 views of one storage (each fits, together they amplify)', () => {
    const views = range(50).map((i) => ({
      key: `w${i}`,
      storage: '0',
      numel: 16,
      shape: [16],
      stride: [0],
    }));
    refused(
      () => readPth(pth(views, { 0: f32bytes(range(16)) })),
      /strided views hold more values than the storages \(at tensor 'w1'\)/,
    );
  });

  it('a negative storage offset', () => {
    refused(() => readPth(one({ offset: -4 })), /tensor 'w' has storage offset -4/);
  });

  it('a shape larger than the storage (would read NaN or short data)', () => {
    refused(
      () => readPth(one({ shape: [64] })),
      /tensor 'w' has shape \[64\] \(64 values\) but its storage holds 16/,
    );
  });

  it('a view past the end: the message names file, tensor, bytes, offset and storage size', () => {
    const f = pth(
      [{ key: 'layer1.0.conv1.weight', storage: '0', numel: 1024, offset: 2048, shape: [1024] }],
      { 0: new Uint8Array(4096) },
    );
    const e = refused(() => readPth(f, 'model.pth'), /needs/);
    expect(e.message).toBe(
      "model.pth: tensor 'layer1.0.conv1.weight' needs 4096 bytes at offset 8192 but its storage has 4096",
    );
  });

  it('a stride reaching past the storage', () => {
    refused(
      () => readPth(one({ shape: [4, 4], stride: [8, 1] })),
      /needs 112 bytes at offset 0 but its storage has 64/,
    );
  });

  it('huge dims (2^20 x 2^20)', () => {
    refused(
      () => readPth(one({ shape: [2 ** 20, 2 ** 20] })),
      /1099511627776 values: over the cap/,
    );
  });

  it('non-integer and non-numeric dims', () => {
    refused(() => readPth(one({ shape: [1.5], stride: [1] })), /dimension 1\.5 .*not a count/);
    refused(() => readPth(one({ shape: ['16'], stride: [1] })), /dimension "16" .*not a count/);
  });

  it('rank 20', () => {
    refused(
      () => readPth(one({ shape: new Array(20).fill(1) })),
      /not a list of at most 8 dimensions/,
    );
  });

  it('a stride list that does not match the shape', () => {
    refused(
      () => readPth(one({ stride: [1, 1] })),
      /tensor 'w' has stride \[1,1\] for shape \[16\]/,
    );
  });

  it('a storage shorter than its declared size', () => {
    refused(
      () => readPth(one({}, f32bytes(range(4)), 16)),
      /storage data\/0 has 16 bytes, its header says 64/,
    );
  });

  it('a missing storage entry', () => {
    refused(
      () => readPth(pth([{ key: 'w', storage: '7', numel: 1, shape: [1] }], {})),
      /missing storage data\/7 \(for 'w'\)/,
    );
  });

  it('NaN weights are refused naming the tensor', () => {
    refused(
      () => readPth(one({ shape: [4] }, f32bytes([1, 2, NaN, 4]), 4)),
      /tensor 'w' has NaN at index 2/,
    );
  });
});

describe('the zip around a checkpoint', () => {
  const pkl = statePickle([{ key: 'w', storage: '0', numel: 4, shape: [4] }]);
  const good = { name: 'archive/data/0', data: f32bytes([1, 2, 3, 4]) };

  it('a 552-byte zip declaring 4 x 4 GiB', () => {
    const tiny = deflateSync(new Uint8Array(0));
    const bomb = makeZip(
      ['data.pkl', 'data/0', 'data/1', 'data/2'].map((n) => ({
        name: `archive/${n}`,
        data: tiny,
        method: 8,
        size: 0xfffffffe,
      })),
    );
    expect(bomb.length).toBeLessThan(600);
    refused(
      () => readPth(bomb),
      /zip entry 'archive\/data\.pkl' declares 4294967294 bytes: over the 16 MiB cap/,
    );
  });

  it('a 16 KB deflate stream that would inflate to 16 MiB, declared 1 GiB', () => {
    const big = makePth(pkl, {}, [
      { name: 'archive/data/0', data: new Uint8Array(16 * 2 ** 20), deflate: true, size: 2 ** 30 },
    ]);
    refused(() => readPth(big), /declares 1073741824 bytes inflated: over the 64 MiB cap/);
  });

  it('a declared size that is smaller than the data (a lie): inflation stops at the declared size', () => {
    const lie = makePth(pkl, {}, [
      { name: 'archive/data/0', data: new Uint8Array(16 * 2 ** 20), deflate: true, size: 16 },
    ]);
    refused(
      () => readPth(lie),
      /zip entry 'archive\/data\/0' inflates to more than the 16 bytes it declares/,
    );
  });

  it('a declared size that is larger than the data', () => {
    const lie = makePth(pkl, {}, [{ ...good, deflate: true, size: 32 }]);
    refused(() => readPth(lie), /inflates to 16 bytes, not the 32 it declares/);
  });

  it('entries whose data overlap (two names, one local header)', () => {
    const z = makeZip([
      { name: 'archive/data.pkl', data: pkl },
      good,
      { name: 'archive/data/1', data: good.data, localOf: 'archive/data/0' },
    ]);
    refused(() => readPth(z), /zip entries 'archive\/data\/0' and 'archive\/data\/1' overlap/);
  });

  it('an entry whose data runs past the file', () => {
    const z = makeZip([{ name: 'archive/data.pkl', data: pkl, compSize: 1e6, size: 1e6 }]);
    refused(
      () => readPth(z),
      /'archive\/data\.pkl' \(1000000 bytes at \d+\) runs into the central directory or past the file/,
    );
  });

  it('a truncated zip (no end record)', () => {
    const z = makePth(pkl, { 0: good.data });
    refused(
      () => readPth(z.subarray(0, z.length - 30)),
      /no end-of-central-directory record \(not a zip, or truncated\)/,
    );
  });

  it('a central directory offset outside the file', () => {
    refused(
      () => readPth(makeZip([{ name: 'archive/data.pkl', data: pkl }], { cdOffset: 1e7 })),
      /central directory lies outside the file/,
    );
  });

  it('an encrypted entry, an unknown compression method, a duplicate name', () => {
    refused(
      () => readPth(makeZip([{ name: 'archive/data.pkl', data: pkl, flags: 1 }])),
      /'archive\/data\.pkl' is encrypted/,
    );
    refused(
      () => readPth(makeZip([{ name: 'archive/data.pkl', data: pkl, method: 12 }])),
      /compression method 12/,
    );
    refused(
      () =>
        readPth(
          makeZip([
            { name: 'archive/data.pkl', data: pkl },
            { name: 'archive/data.pkl', data: pkl },
          ]),
        ),
      /lists the entry 'archive\/data\.pkl' twice/,
    );
  });

  it('a stored entry whose sizes disagree', () => {
    refused(
      () => readPth(makeZip([{ name: 'archive/data.pkl', data: pkl, size: 5 }])),
      /is stored but declares 5 bytes in \d+/,
    );
  });

  it('an entry count larger than the directory holds, and ZIP64 counts without a locator', () => {
    refused(
      () => openZip(makeZip([good], { count: 0xfffe })),
      /central directory entry 1 is corrupt/,
    );
    refused(
      () => openZip(makeZip([good], { count: 0xffff })),
      /ZIP64 sizes without a ZIP64 locator/,
    );
  });

  it('no data.pkl', () => {
    refused(() => readPth(makeZip([good])), /no data\.pkl in the zip/);
  });

  it('only the entries needed are inflated: an unreferenced bomb entry is never touched', () => {
    const z = makePth(pkl, { 0: good.data }, [
      { name: 'archive/junk', data: new Uint8Array(8), deflate: true, size: 0xfffffffe },
    ]);
    expect([...readPth(z).get('w')!.data]).toEqual([1, 2, 3, 4]);
  });
});
