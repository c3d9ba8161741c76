// Batch augmentation on the GPU, fastai's aug_transforms: one projective warp per image (flip or
// dihedral, rotate, zoom and perspective warp composed into a single 3x3 matrix, applied by
// tf.image.transform with reflection padding) and lighting (brightness, contrast) in logit space.
// Random draws happen on the CPU with a seeded PRNG (a few numbers per image), pixels stay on the GPU.
import * as tf from '@tensorflow/tfjs';
import type { AugPreset } from '../shared/protocol';

/** fastai aug_transforms() defaults. */
export interface AugOptions {
  doFlip: boolean;
  /** Vertical flips too: all 8 dihedral transforms (top-down photos, satellite, microscopy). */
  flipVert: boolean;
  maxRotate: number;
  minZoom: number;
  maxZoom: number;
  maxLighting: number;
  maxWarp: number;
  pAffine: number;
  pLighting: number;
}

export const AUG_DEFAULTS: AugOptions = {
  doFlip: true,
  flipVert: false,
  maxRotate: 10,
  minZoom: 1,
  maxZoom: 1.1,
  maxLighting: 0.2,
  maxWarp: 0.2,
  pAffine: 0.75,
  pLighting: 0.75,
};

/** Presets: side-on photos flip horizontally; top-down images use all 8 dihedral symmetries. */
export function augPreset(preset: AugPreset): AugOptions | undefined {
  if (preset === 'none') return undefined;
  return { ...AUG_DEFAULTS, flipVert: preset === 'top-down' };
}

type M3 = number[]; // row-major 3x3

const mul = (a: M3, b: M3): M3 => {
  const r = new Array(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) r[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return r;
};
const I3: M3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Solves A x = b (8x8) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** fastai find_coeffs(p1, p2): the homography that maps points p2 onto p1. */
export function findCoeffs(p1: [number, number][], p2: [number, number][]): M3 {
  const A: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x1, y1] = p1[i];
    const [x2, y2] = p2[i];
    A.push([x2, y2, 1, 0, 0, 0, -x1 * x2, -x1 * y2]);
    A.push([0, 0, 0, x2, y2, 1, -y1 * x2, -y1 * y2]);
    b.push(x1, y1);
  }
  return [...solve(A, b), 1];
}

/** fastai _draw_mask: the draw with probability p, the neutral value otherwise. */
const masked = (rand: () => number, p: number, draw: () => number, neutral: number) => {
  const v = draw(); // drawn either way, like torch's batch draw: the stream stays aligned across p
  return rand() < p ? v : neutral;
};
const uniform = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();

/** The matrix mapping output coords to source coords in [-1,1] (fastai: flip @ rotate @ zoom, then warp). */
export function drawCoordMatrix(rand: () => number, o: AugOptions): M3 {
  let m = I3;
  if (o.flipVert) {
    const idx = masked(rand, 0.5, () => Math.floor(rand() * 8), 0);
    const xs = [1, -1, 1, -1, -1, 1, 1, -1][idx];
    const ys = [1, 1, -1, 1, -1, -1, 1, -1][idx];
    const m0 = [1, 1, 1, 0, 1, 0, 0, 0][idx];
    const m1 = [0, 0, 0, 1, 0, 1, 1, 1][idx];
    m = mul(m, [xs * m0, xs * m1, 0, ys * m1, ys * m0, 0, 0, 0, 1]);
  } else if (o.doFlip) {
    const f = masked(rand, 0.5, () => -1, 1);
    m = mul(m, [f, 0, 0, 0, 1, 0, 0, 0, 1]);
  }
  const theta =
    (masked(rand, o.pAffine, () => uniform(rand, -o.maxRotate, o.maxRotate), 0) * Math.PI) / 180;
  m = mul(m, [Math.cos(theta), Math.sin(theta), 0, -Math.sin(theta), Math.cos(theta), 0, 0, 0, 1]);
  const s = 1 / masked(rand, o.pAffine, () => uniform(rand, o.minZoom, o.maxZoom), 1);
  const colC = (1 - s) * (2 * rand() - 1);
  const rowC = (1 - s) * (2 * rand() - 1);
  m = mul(m, [s, 0, colC, 0, s, rowC, 0, 0, 1]);
  const xt = masked(rand, o.pAffine, () => uniform(rand, -o.maxWarp, o.maxWarp), 0);
  const yt = masked(rand, o.pAffine, () => uniform(rand, -o.maxWarp, o.maxWarp), 0);
  if (xt !== 0 || yt !== 0) {
    const orig: [number, number][] = [
      [-1, -1],
      [-1, 1],
      [1, -1],
      [1, 1],
    ];
    const targ: [number, number][] = [
      [-1 - yt, -1 - xt],
      [-1 + yt, 1 + xt],
      [1 + yt, -1 + xt],
      [1 - yt, 1 - xt],
    ];
    m = mul(findCoeffs(orig, targ), m);
  }
  return m;
}

/**
 * Turns a [-1,1] coordinate matrix (align_corners=True) into tf.image.transform's 8 numbers,
 * which map output pixel (x, y) to input pixel coordinates.
 */
export function toPixelTransform(m: M3, w: number, h: number): number[] {
  const S: M3 = [2 / Math.max(1, w - 1), 0, -1, 0, 2 / Math.max(1, h - 1), -1, 0, 0, 1];
  const D: M3 = [(w - 1) / 2, 0, (w - 1) / 2, 0, (h - 1) / 2, (h - 1) / 2, 0, 0, 1];
  const t = mul(D, mul(m, S));
  return t.slice(0, 8).map((v) => v / t[8]);
}

/** Brightness (added to logits) and contrast (multiplies logits) per image, as fastai draws them. */
export function drawLighting(rand: () => number, o: AugOptions): { add: number; mul: number } {
  const change = masked(
    rand,
    o.pLighting,
    () => uniform(rand, 0.5 * (1 - o.maxLighting), 0.5 * (1 + o.maxLighting)),
    0.5,
  );
  const lo = Math.log(1 - o.maxLighting);
  const contrast = masked(rand, o.pLighting, () => Math.exp(uniform(rand, lo, -lo)), 1);
  return { add: Math.log(change / (1 - change)), mul: contrast };
}

export interface AugDraw {
  transforms: Float32Array; // [n, 8]
  lightAdd: Float32Array; // [n]
  lightMul: Float32Array; // [n]
}

export function drawAugmentation(
  n: number,
  size: number,
  rand: () => number,
  o: AugOptions,
): AugDraw {
  const transforms = new Float32Array(n * 8);
  const lightAdd = new Float32Array(n);
  const lightMul = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    transforms.set(toPixelTransform(drawCoordMatrix(rand, o), size, size), i * 8);
    const l = drawLighting(rand, o);
    lightAdd[i] = l.add;
    lightMul[i] = l.mul;
  }
  return { transforms, lightAdd, lightMul };
}

/**
 * tf.image.transform with one 3x3 (8 numbers) per image and PyTorch's edge: fastai samples with
 * grid_sample(padding_mode='reflection', align_corners=True), which reflects about the edge
 * pixels' centres (c b | a b c d | c b). tf.image.transform's 'reflect' repeats the edge pixel
 * (b a | a b c d | d c), so the batch is mirror-padded the PyTorch way first (bilinear sampling
 * commutes with that reflection) and the transforms shifted onto the padded image; only a
 * coordinate beyond the padding (half the image) falls back to tfjs's reflection.
 * tfjs-backend-cpu 4.22's Transform returns after the first image (the rest stay at the fill
 * value), so on that backend images go one at a time.
 */
function warp(x: tf.Tensor4D, transforms: Float32Array): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const py = Math.min(Math.floor(h / 2), h - 1);
  const px = Math.min(Math.floor(w / 2), w - 1);
  const padded = tf.mirrorPad(
    x,
    [
      [0, 0],
      [py, py],
      [px, px],
      [0, 0],
    ],
    'reflect',
  );
  // in_x + px = (a0 x + a1 y + a2 + px (c0 x + c1 y + 1)) / (c0 x + c1 y + 1), same for y.
  const shifted = transforms.slice();
  for (let o = 0; o < shifted.length; o += 8) {
    const [c0, c1] = [shifted[o + 6], shifted[o + 7]];
    shifted[o] += px * c0;
    shifted[o + 1] += px * c1;
    shifted[o + 2] += px;
    shifted[o + 3] += py * c0;
    shifted[o + 4] += py * c1;
    shifted[o + 5] += py;
  }
  const one = (xi: tf.Tensor4D, t: Float32Array) =>
    tf.image.transform(xi, tf.tensor2d(t, [t.length / 8, 8]), 'bilinear', 'reflect', 0, [h, w]);
  if (tf.getBackend() !== 'cpu' || n === 1) return one(padded, shifted);
  return tf.concat(
    tf.split(padded, n).map((xi, i) => one(xi as tf.Tensor4D, shifted.subarray(i * 8, i * 8 + 8))),
  );
}

/** Applies drawn augmentation to a [0,1] RGB batch on the current backend (the GPU in the worker). */
export function applyAugmentation(x: tf.Tensor4D, d: AugDraw): tf.Tensor4D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const warped = warp(x, d.transforms);
    const eps = 1e-7;
    const p = tf.clipByValue(warped, eps, 1 - eps);
    const logit = tf.log(tf.div(p, tf.sub(1, p)));
    const lit = tf.mul(
      tf.add(logit, tf.tensor4d(d.lightAdd, [n, 1, 1, 1])),
      tf.tensor4d(d.lightMul, [n, 1, 1, 1]),
    );
    return tf.sigmoid(lit) as tf.Tensor4D;
  });
}
