import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUG_DEFAULTS,
  applyAugmentation,
  drawAugmentation,
  drawCoordMatrix,
  findCoeffs,
  toPixelTransform,
} from '../../src/data/augment';
import { applyItemTfm, itemBox, type RgbImage } from '../../src/data/itemTransforms';
import { learnerBatches, makeDataLoaders, type LoaderItem } from '../../src/data/loaders';
import { seededRandom } from '../../src/shared/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A w x h image whose red channel is the column index and green the row index. */
function ramp(w: number, h: number): RgbImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) rgb.set([x * 10, y * 10, 128], (y * w + x) * 3);
  return { width: w, height: h, rgb };
}

const NO_AUG = { ...AUG_DEFAULTS, doFlip: false, pAffine: 0, pLighting: 0 };

describe('batch augmentation (fastai aug_transforms semantics)', () => {
  it('is the identity when nothing fires', () => {
    const m = drawCoordMatrix(seededRandom(1), NO_AUG);
    expect(toPixelTransform(m, 8, 8).map((v) => +v.toFixed(6) + 0)).toEqual([
      1, 0, 0, 0, 1, 0, 0, 0,
    ]);
  });

  it('a flip mirrors columns, on real pixels through tf.image.transform', () => {
    const always = () => 0; // every Bernoulli fires, every uniform is its low end
    const m = drawCoordMatrix(always, { ...NO_AUG, doFlip: true });
    const img = ramp(4, 3);
    const x = tf.tensor4d(
      Float32Array.from(img.rgb, (v) => v / 255),
      [1, 3, 4, 3],
    );
    const y = tf.image.transform(
      x,
      tf.tensor2d([toPixelTransform(m, 4, 3)]),
      'bilinear',
      'reflect',
    );
    const red = Array.from(y.slice([0, 0, 0, 0], [1, 1, 4, 1]).dataSync()).map((v) =>
      Math.round(v * 255),
    );
    expect(red).toEqual([30, 20, 10, 0]);
    tf.dispose([x, y]);
  });

  it('dihedral (top-down) draws all 8 symmetries of the square', () => {
    const kinds = new Set<string>();
    const rand = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const m = drawCoordMatrix(rand, { ...NO_AUG, flipVert: true });
      kinds.add(m.slice(0, 2).concat(m.slice(3, 5)).join(','));
    }
    expect(kinds.size).toBe(8);
  });

  it('the perspective warp maps fastai target corners onto the original corners', () => {
    const orig: [number, number][] = [
      [-1, -1],
      [-1, 1],
      [1, -1],
      [1, 1],
    ];
    const targ: [number, number][] = [
      [-1.1, -0.8],
      [-0.9, 1.2],
      [1.1, -1.2],
      [0.9, 0.8],
    ];
    const h = findCoeffs(orig, targ);
    targ.forEach(([x, y], i) => {
      const k = h[6] * x + h[7] * y + 1;
      expect((h[0] * x + h[1] * y + h[2]) / k).toBeCloseTo(orig[i][0], 5);
      expect((h[3] * x + h[4] * y + h[5]) / k).toBeCloseTo(orig[i][1], 5);
    });
  });

  it('draws within fastai ranges: rotation up to 10 degrees, zoom up to 1.1, lighting in logit space', () => {
    const d = drawAugmentation(500, 32, seededRandom(7), AUG_DEFAULTS);
    const b = Array.from(d.lightAdd);
    const c = Array.from(d.lightMul);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(logit(0.6) + 1e-6);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(0.8 - 1e-6);
    expect(Math.max(...c)).toBeLessThanOrEqual(1.25 + 1e-6);
    // p_lighting = 0.75: about a quarter of the images keep their brightness.
    const untouched = b.filter((v) => v === 0).length / b.length;
    expect(untouched).toBeGreaterThan(0.18);
    expect(untouched).toBeLessThan(0.32);
  });

  it('every image of a batch gets its own warp (tfjs-cpu Transform stops after the first)', () => {
    const x = tf.randomUniform([3, 6, 6, 3], 0.05, 0.95) as tf.Tensor4D;
    const flip = toPixelTransform([-1, 0, 0, 0, 1, 0, 0, 0, 1], 6, 6);
    const id = [1, 0, 0, 0, 1, 0, 0, 0];
    const d = {
      transforms: new Float32Array([...id, ...flip, ...id]),
      lightAdd: new Float32Array(3),
      lightMul: new Float32Array(3).fill(1),
    };
    const y = applyAugmentation(x, d);
    const [x0, x1, x2] = tf.split(x, 3);
    const [y0, y1, y2] = tf.split(y, 3);
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(maxDiff(y0, x0)).toBeLessThan(1e-5);
    expect(maxDiff(y1, tf.reverse(x1, 2))).toBeLessThan(1e-5);
    expect(maxDiff(y2, x2)).toBeLessThan(1e-5);
  });

  it("pixels from outside the image reflect about the edge pixels' centres, as fastai's grid_sample", () => {
    // A column ramp shifted right by 1.5 px: output x samples input x - 1.5. PyTorch's
    // reflection (align_corners=True) sends -1.5 to 1.5 and -0.5 to 0.5; tfjs's 'reflect'
    // would send them to 0.5 and -0.5 (edge repeated).
    const w = 6;
    const ramp = tf.tile(tf.range(0, w).div(10).reshape([1, 1, w, 1]), [2, 3, 1, 3]) as tf.Tensor4D;
    const shift = [1, 0, -1.5, 0, 1, 0, 0, 0];
    const y = applyAugmentation(ramp, {
      transforms: new Float32Array([...shift, ...shift]),
      lightAdd: new Float32Array(2),
      lightMul: new Float32Array(2).fill(1),
    });
    const row = Array.from(y.slice([1, 2, 0, 0], [1, 1, w, 1]).dataSync());
    const expected = [...Array(w).keys()].map((x) => Math.abs(x - 1.5) / 10);
    row.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    tf.dispose([ramp, y]);
  });

  it('applyAugmentation keeps [0,1] pixels and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
    const y = applyAugmentation(x, drawAugmentation(2, 8, seededRandom(1), AUG_DEFAULTS));
    expect(y.shape).toEqual([2, 8, 8, 3]);
    const v = y.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(Array.from(v)).not.toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('item transforms', () => {
  it('Resize crop: random position on train, centre on valid; squish keeps the whole image', () => {
    expect(
      itemBox({ kind: 'resize', size: 10, method: 'crop' }, 40, 20, false, Math.random),
    ).toEqual({ x: 10, y: 0, w: 20, h: 20 });
    expect(itemBox({ kind: 'resize', size: 10, method: 'crop' }, 40, 20, true, () => 0)).toEqual({
      x: 0,
      y: 0,
      w: 20,
      h: 20,
    });
    expect(
      itemBox({ kind: 'resize', size: 10, method: 'squish' }, 40, 20, true, Math.random),
    ).toEqual({ x: 0, y: 0, w: 40, h: 20 });
    expect(
      itemBox({ kind: 'resize', size: 10, method: 'pad' }, 40, 20, false, Math.random),
    ).toEqual({ x: 0, y: -10, w: 40, h: 40 });
  });

  it('Resize pad fills the border by reflection', () => {
    const out = new Float32Array(4 * 4 * 3);
    applyItemTfm(ramp(4, 2), { kind: 'resize', size: 4, method: 'pad' }, false, Math.random, out);
    const green = (i: number) => Math.round(out[(i * 4 + 1) * 3 + 1] * 255);
    // rows -1, 0, 1, 2 of the 2-row image: reflected row -1 is row 1.
    expect([0, 1, 2, 3].map(green)).toEqual([10, 0, 10, 0]);
  });

  it('shrinking matches PIL BILINEAR (antialiased), the referee and fastai Resize', () => {
    const [W, H] = [13, 10];
    const rgb = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = (x * 37 + y * 11 + c * 5) % 256;
    const out = new Float32Array(4 * 4 * 3);
    applyItemTfm(
      { width: W, height: H, rgb },
      { kind: 'resize', size: 4, method: 'squish' },
      false,
      Math.random,
      out,
    );
    // Image.fromarray(same pixels).resize((4, 4), Image.BILINEAR) with Debian's python3-pil.
    const pil = [
      64, 69, 74, 158, 161, 166, 91, 94, 99, 146, 151, 156, 89, 94, 99, 167, 158, 163, 100, 91, 96,
      171, 176, 181, 116, 121, 126, 156, 138, 143, 101, 100, 105, 184, 169, 174, 141, 146, 148, 135,
      137, 120, 114, 118, 123, 168, 170, 148,
    ];
    // Whole 8-bit levels, as fastai's Resize hands on a PIL image; PIL's fixed point (and its
    // rounded intermediate pass) may put a pixel one level off.
    const levels = Array.from(out, (v) => v * 255);
    for (const v of levels) expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-3);
    const diff = levels.map((v, i) => Math.abs(v - pil[i]));
    expect(Math.max(...diff)).toBeLessThanOrEqual(1 + 1e-3);
  });

  it('RandomResizedCrop: area within [min_scale, 1] on train, centre crop on valid', () => {
    const rand = seededRandom(5);
    for (let i = 0; i < 50; i++) {
      const b = itemBox({ kind: 'randomResizedCrop', size: 32 }, 100, 80, true, rand);
      expect(b.w * b.h).toBeGreaterThanOrEqual(0.08 * 8000 * 0.9);
      expect(b.x + b.w).toBeLessThanOrEqual(100);
      expect(b.y + b.h).toBeLessThanOrEqual(80);
    }
    const v = itemBox({ kind: 'randomResizedCrop', size: 32 }, 100, 80, false, rand);
    expect(v.x + v.w / 2).toBeCloseTo(50);
    expect(v.w / 100).toBeCloseTo(32 / 40);
  });
});

describe('DataLoaders', () => {
  const items = (n: number, label: (i: number) => string[]): LoaderItem[] =>
    Array.from({ length: n }, (_, i) => ({ image: ramp(6, 5), labels: label(i), path: `p${i}` }));

  it('yields shuffled, augmented, reproducible train batches and ordered valid batches', async () => {
    const dls = makeDataLoaders(
      { train: items(10, (i) => [i % 2 ? 'b' : 'a']), valid: items(3, () => ['a']), test: [] },
      {
        vocab: ['a', 'b'],
        multiLabel: false,
        itemTfm: { kind: 'resize', size: 4, method: 'crop' },
        aug: 'side-on',
        seed: 1,
      },
    );
    const before = tf.memory().numTensors;
    const epoch = async (e: number) => {
      const out: { paths: string[]; y: number[]; x: number[] }[] = [];
      for await (const b of dls.train.batches(4, e)) {
        expect(b.x.shape).toEqual([4, 4, 4, 3]);
        out.push({ paths: b.paths, y: Array.from(b.y.dataSync()), x: Array.from(b.x.dataSync()) });
        tf.dispose([b.x, b.y]);
      }
      return out;
    };
    const e0 = await epoch(0);
    expect(e0.length).toBe(2); // drop_last on train
    expect(await epoch(0)).toEqual(e0);
    expect((await epoch(1))[0].paths).not.toEqual(e0[0].paths);
    e0.forEach((b) => b.paths.forEach((p, i) => expect(b.y[i]).toBe(Number(p.slice(1)) % 2)));
    const valid = [];
    for await (const b of dls.valid.batches(2)) {
      valid.push(...b.paths);
      tf.dispose([b.x, b.y]);
    }
    expect(valid).toEqual(['p0', 'p1', 'p2']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("augment: false gives train items validation's transforms (precompute's fix_dl)", async () => {
    // A wide image: the crop's position matters, and a flip changes the pixels.
    const wide = (n: number): LoaderItem[] =>
      Array.from({ length: n }, (_, i) => ({ image: ramp(9, 4), labels: ['a'], path: `p${i}` }));
    const dls = makeDataLoaders(
      { train: wide(8), valid: wide(1), test: [] },
      {
        vocab: ['a'],
        multiLabel: false,
        itemTfm: { kind: 'resize', size: 4, method: 'crop' },
        aug: 'side-on',
        seed: 3,
      },
    );
    const images = async (it: AsyncGenerator<{ x: tf.Tensor; y: tf.Tensor }>) => {
      const out: string[] = [];
      for await (const b of it) {
        const x = b.x.arraySync() as number[][][][];
        out.push(...x.map((im) => JSON.stringify(im)));
        tf.dispose([b.x, b.y]);
      }
      return out;
    };
    const [centre] = await images(dls.valid.batches(1));
    const plain = await images(dls.train.batches(4, 0, { augment: false }));
    expect(plain).toHaveLength(8);
    plain.forEach((im) => expect(im).toBe(centre));
    const augmented = await images(dls.train.batches(4, 0));
    expect(augmented.filter((im) => im !== centre).length).toBeGreaterThan(0);
  });

  it('gives the Learner normalised batches, and TTA-style augmented validation passes that differ per call', async () => {
    const dls = makeDataLoaders(
      { train: items(8, (i) => [i % 2 ? 'b' : 'a']), valid: items(4, () => ['a']), test: [] },
      {
        vocab: ['a', 'b'],
        multiLabel: false,
        itemTfm: { kind: 'randomResizedCrop', size: 4 },
        aug: 'side-on',
        seed: 2,
      },
    );
    const batches = learnerBatches(dls, 4, {
      scale: 1,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      bgr: false,
    });
    expect([batches.nTrain, batches.nValid]).toEqual([2, 1]);
    const before = tf.memory().numTensors;
    const pass = async (opts?: { augment?: boolean }) => {
      const out: number[] = [];
      for await (const b of batches.valid(opts)) {
        out.push(...b.x.dataSync());
        tf.dispose([b.x, b.y]);
      }
      return out;
    };
    const plain = await pass();
    expect(Math.min(...plain)).toBeGreaterThanOrEqual(-1);
    expect(plain.some((v) => v < 0)).toBe(true); // (x - 0.5) / 0.5: dark pixels go negative
    expect(await pass()).toEqual(plain);
    const tta1 = await pass({ augment: true });
    const tta2 = await pass({ augment: true });
    expect(tta1).not.toEqual(plain);
    expect(tta2).not.toEqual(tta1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('multi-label targets are multi-hot', async () => {
    const dls = makeDataLoaders(
      { train: [], valid: items(2, (i) => (i ? ['a', 'c'] : [])), test: [] },
      {
        vocab: ['a', 'b', 'c'],
        multiLabel: true,
        itemTfm: { kind: 'resize', size: 2, method: 'squish' },
        aug: 'none',
        seed: 1,
      },
    );
    for await (const b of dls.valid.batches(2)) {
      expect(Array.from(b.y.dataSync())).toEqual([0, 0, 0, 1, 0, 1]);
      tf.dispose([b.x, b.y]);
    }
  });
});
