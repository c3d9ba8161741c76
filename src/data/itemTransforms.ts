import type { ItemTfm } from '../shared/protocol';
// Item transforms (fastai's item_tfms), on the CPU like fastai's DataLoader workers: each cached
// image becomes a size x size crop in [0,1] floats, ready to be stacked into a batch.
//   Resize(size, method): squish (whole image), crop (random position on train, centre on valid),
//     pad (whole image fits, borders filled by reflection, fastai's default pad_mode).
//   RandomResizedCrop(size, min_scale=0.08, ratio=(3/4, 4/3), val_xtra=0.14).

export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A source rectangle (may reach outside the image: padding) that becomes the output square. */
export interface CropBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Reflects an out-of-range index back inside [0, n) (d c b | a b c d | c b a). */
const reflect = (i: number, n: number) => {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = Math.abs(i) % period;
  return i >= n ? period - i : i;
};

/**
 * Filter taps along one axis: source indices and weights for each of `size` outputs covering
 * [start, start + len). A triangle filter widened by the reduction factor, as PIL's antialiased
 * BILINEAR resize (which fastai's Resize uses): plain 2-tap bilinear when enlarging, an average
 * over every covered source pixel when shrinking, so small sizes don't alias. Taps past the edge
 * are dropped (PIL's renormalised edge) unless the output itself lies outside the image: then they
 * reflect (Resize pad's border).
 */
function axisTaps(start: number, len: number, size: number, n: number) {
  const scale = len / size;
  const support = Math.max(1, scale);
  const index: number[][] = [];
  const weight: number[][] = [];
  for (let k = 0; k < size; k++) {
    const center = start + (k + 0.5) * scale;
    const inside = center >= 0 && center <= n;
    const idx: number[] = [];
    const wts: number[] = [];
    let total = 0;
    for (let p = Math.floor(center - support); p < Math.ceil(center + support); p++) {
      const w = 1 - Math.abs(p + 0.5 - center) / support;
      if (w <= 0 || (inside && (p < 0 || p >= n))) continue;
      idx.push(reflect(p, n));
      wts.push(w);
      total += w;
    }
    index.push(idx);
    weight.push(wts.map((w) => w / total));
  }
  return { index, weight };
}

/** fastai's Resize returns a PIL image, so the resized pixels are whole 8-bit levels again. */
const level = (v: number) => Math.min(255, Math.max(0, Math.round(v))) / 255;

/** Resample `box` of `img` into out[offset..] as a size x size x 3 float image in [0,1]. */
export function sampleBox(
  img: RgbImage,
  box: CropBox,
  size: number,
  out: Float32Array,
  offset = 0,
) {
  const { width: W, height: H, rgb } = img;
  const xs = axisTaps(box.x, box.w, size, W);
  const ys = axisTaps(box.y, box.h, size, H);
  for (let i = 0; i < size; i++) {
    const yi = ys.index[i];
    const yw = ys.weight[i];
    for (let j = 0; j < size; j++) {
      const xi = xs.index[j];
      const xw = xs.weight[j];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let a = 0; a < yi.length; a++) {
        const row = yi[a] * W;
        let rr = 0;
        let gg = 0;
        let bb = 0;
        for (let c = 0; c < xi.length; c++) {
          const p = (row + xi[c]) * 3;
          rr += rgb[p] * xw[c];
          gg += rgb[p + 1] * xw[c];
          bb += rgb[p + 2] * xw[c];
        }
        r += rr * yw[a];
        g += gg * yw[a];
        b += bb * yw[a];
      }
      const o = offset + (i * size + j) * 3;
      out[o] = level(r);
      out[o + 1] = level(g);
      out[o + 2] = level(b);
    }
  }
}

/**
 * The source box (or boxes: RandomResizedCrop on valid resizes then centre-crops, which is one box)
 * for one image. `train` picks random positions; validation is deterministic (centre).
 */
export function itemBox(
  tfm: ItemTfm,
  w: number,
  h: number,
  train: boolean,
  rand: () => number,
): CropBox {
  if (tfm.kind === 'resize') {
    if (tfm.method === 'squish') return { x: 0, y: 0, w, h };
    const side = tfm.method === 'crop' ? Math.min(w, h) : Math.max(w, h);
    const [px, py] = train && tfm.method === 'crop' ? [rand(), rand()] : [0.5, 0.5];
    return { x: (w - side) * px, y: (h - side) * py, w: side, h: side };
  }
  const minScale = tfm.minScale ?? 0.08;
  const [r0, r1] = tfm.ratio ?? [3 / 4, 4 / 3];
  if (!train) {
    // fastai: squish to size + xtra (rounded up to a multiple of 8), then centre-crop size.
    const xtra = Math.ceil((tfm.size * (tfm.valXtra ?? 0.14)) / 8) * 8;
    const keep = tfm.size / (tfm.size + xtra);
    return { x: (w * (1 - keep)) / 2, y: (h * (1 - keep)) / 2, w: w * keep, h: h * keep };
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = (minScale + (1 - minScale) * rand()) * w * h;
    const ratio = Math.exp(Math.log(r0) + (Math.log(r1) - Math.log(r0)) * rand());
    const nw = Math.round(Math.sqrt(area * ratio));
    const nh = Math.round(Math.sqrt(area / ratio));
    if (nw <= w && nh <= h && nw > 0 && nh > 0)
      return {
        x: Math.floor(rand() * (w - nw + 1)),
        y: Math.floor(rand() * (h - nh + 1)),
        w: nw,
        h: nh,
      };
  }
  // fastai's fallback: the largest centre crop within the ratio range.
  const ratio = w / h;
  const [cw, ch] = ratio < r0 ? [w, w / r0] : ratio > r1 ? [h * r1, h] : [w, h];
  return { x: (w - cw) / 2, y: (h - ch) / 2, w: cw, h: ch };
}

export function applyItemTfm(
  img: RgbImage,
  tfm: ItemTfm,
  train: boolean,
  rand: () => number,
  out: Float32Array,
  offset = 0,
) {
  sampleBox(img, itemBox(tfm, img.width, img.height, train, rand), tfm.size, out, offset);
}
