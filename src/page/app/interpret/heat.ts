// Heatmap drawing, pure: a jet-like colour map and the blend of an RGB image with a heat map
// (fastai shows Grad-CAM as `imshow(cam, alpha=0.6)` over the image). No tensors: plain loops
// over a few thousand pixels.

/** Jet-like colour of t in [0, 1] (blue -> cyan -> yellow -> red), each channel 0..255. */
export function heatColor(t: number): [number, number, number] {
  const c = (v: number) => Math.round(255 * Math.max(0, Math.min(1, v)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

/** RGBA pixels of `rgb` (w*h*3) with `heat` (w*h, in [0, 1]) blended on top at `alpha`. */
export function overlayRgba(
  rgb: ArrayLike<number>,
  heat: ArrayLike<number> | undefined,
  w: number,
  h: number,
  alpha = 0.5,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = heat ? heatColor(heat[i]) : [0, 0, 0];
    const a = heat ? alpha : 0;
    out[i * 4] = (1 - a) * rgb[i * 3] + a * r;
    out[i * 4 + 1] = (1 - a) * rgb[i * 3 + 1] + a * g;
    out[i * 4 + 2] = (1 - a) * rgb[i * 3 + 2] + a * b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Mean and standard deviation (population) of a heat map: a uniform map has std 0. */
export function heatStats(heat: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < heat.length; i++) s += heat[i];
  const mean = s / Math.max(1, heat.length);
  let v = 0;
  for (let i = 0; i < heat.length; i++) v += (heat[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / Math.max(1, heat.length)) };
}
