// Item transforms (fastai's item_tfms), on the CPU like fastai's DataLoader workers: each cached
// image becomes a size x size crop in [0,1] floats, ready to be stacked into a batch.
//   Resize(size, method): squish (whole image), crop (random position on train, centre on valid),
//     pad (whole image fits, borders filled by reflection, fastai's default pad_mode).
//   RandomResizedCrop(size, min_scale=0.08, ratio=(3/4, 4/3), val_xtra=0.14).

export type ResizeMethod = 'squish' | 'crop' | 'pad';

export type ItemTfm =
  | { kind: 'resize'; size: number; method: ResizeMethod }
  | {
      kind: 'randomResizedCrop';
      size: number;
      minScale?: number;
      ratio?: [number, number];
      valXtra?: number;
    };

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

/** Bilinear resample of `box` of `img` into out[offset..] as a size x size x 3 float image in [0,1]. */
export function sampleBox(
  img: RgbImage,
  box: CropBox,
  size: number,
  out: Float32Array,
  offset = 0,
) {
  const { width: W, height: H, rgb } = img;
  const sx = box.w / size;
  const sy = box.h / size;
  for (let i = 0; i < size; i++) {
    const fy = box.y + (i + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    const ya = reflect(y0, H) * W;
    const yb = reflect(y0 + 1, H) * W;
    for (let j = 0; j < size; j++) {
      const fx = box.x + (j + 0.5) * sx - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const xa = reflect(x0, W);
      const xb = reflect(x0 + 1, W);
      const o = offset + (i * size + j) * 3;
      for (let c = 0; c < 3; c++) {
        const top = rgb[(ya + xa) * 3 + c] * (1 - tx) + rgb[(ya + xb) * 3 + c] * tx;
        const bot = rgb[(yb + xa) * 3 + c] * (1 - tx) + rgb[(yb + xb) * 3 + c] * tx;
        out[o + c] = (top * (1 - ty) + bot * ty) / 255;
      }
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
