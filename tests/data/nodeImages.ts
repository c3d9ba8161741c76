// Node has neither createImageBitmap nor OffscreenCanvas: stand-ins good enough to run the
// worker's decoder (src/data/decode.ts) on baseline JPEGs and 24-bit BMPs in unit tests, so imports, the
// cache and its re-reads run on real files. The canvas's drawImage is an area-average resize
// (Chrome's 'high' smoothing quality is antialiased too).
import { importFiles } from '../../src/data/importer';
import type { RgbImage } from '../../src/data/itemTransforms';
import { createWorkerState } from '../../src/worker/state';
import { decodeJpeg } from './jpegBaseline';

/** A bottom-up 24-bit BMP (BITMAPINFOHEADER) of `img`. */
export function encodeBmp({ width: w, height: h, rgb }: RgbImage): Uint8Array<ArrayBuffer> {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const out = new Uint8Array(54 + stride * h);
  const dv = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  dv.setUint32(2, out.length, true);
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, w, true);
  dv.setInt32(22, h, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  dv.setUint32(34, stride * h, true);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [s, d] = [(y * w + x) * 3, 54 + (h - 1 - y) * stride + x * 3];
      out.set([rgb[s + 2], rgb[s + 1], rgb[s]], d);
    }
  return out;
}

function decodeBmp(b: Uint8Array): RgbImage {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const [w, h, off] = [dv.getInt32(18, true), dv.getInt32(22, true), dv.getUint32(10, true)];
  const stride = Math.ceil((w * 3) / 4) * 4;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [d, s] = [(y * w + x) * 3, off + (h - 1 - y) * stride + x * 3];
      rgb.set([b[s + 2], b[s + 1], b[s]], d);
    }
  return { width: w, height: h, rgb };
}

/** Source pixels and weights covering output pixel k of n over a source of `len` pixels. */
function coverage(k: number, n: number, len: number): [number, number][] {
  const [a, b] = [(k * len) / n, ((k + 1) * len) / n];
  const out: [number, number][] = [];
  for (let p = Math.floor(a); p < Math.ceil(b); p++)
    out.push([p, (Math.min(b, p + 1) - Math.max(a, p)) / (b - a)]);
  return out;
}

/** Area-average resize of `img` to w x h, 8-bit RGBA. */
export function resizeRgba(img: RgbImage, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  const xs = Array.from({ length: w }, (_, j) => coverage(j, w, img.width));
  for (let i = 0; i < h; i++) {
    const ys = coverage(i, h, img.height);
    for (let j = 0; j < w; j++)
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [y, wy] of ys)
          for (const [x, wx] of xs[j]) v += img.rgb[(y * img.width + x) * 3 + c] * wy * wx;
        out[(i * w + j) * 4 + c] = Math.round(v);
      }
    for (let j = 0; j < w; j++) out[(i * w + j) * 4 + 3] = 255;
  }
  return out;
}

/** Installs the stand-ins on globalThis; counts decodes (re-reads are visible to tests). */
export function installNodeDecoder() {
  const stats = { decodes: 0 };
  const g = globalThis as Record<string, unknown>;
  g.createImageBitmap = async (blob: Blob) => {
    stats.decodes++;
    const b = new Uint8Array(await blob.arrayBuffer());
    return { ...(b[0] === 0xff ? decodeJpeg(b) : decodeBmp(b)), close() {} };
  };
  g.OffscreenCanvas = class {
    data: Uint8ClampedArray;
    constructor(
      public width: number,
      public height: number,
    ) {
      this.data = new Uint8ClampedArray(width * height * 4);
    }
    getContext() {
      return {
        fillRect: () => undefined,
        drawImage: (img: RgbImage, _x: number, _y: number, w: number, h: number) =>
          (this.data = resizeRgba(img, w, h)),
        getImageData: () => ({ data: this.data }),
      };
    }
  };
  return stats;
}

// ************* a folder of fine stripes *************

/** A 512x384 image (trashnet's size) of fine stripes: red along x, green along y, period 10 px.
 * A 224 px short side keeps them (period 5.8 px); the 128 px cache (96 px short side, period
 * 2.5 px) averages them away. `phase` tells the images apart. */
export function stripes(phase: number): RgbImage {
  const [w, h] = [512, 384];
  const rgb = new Uint8Array(w * h * 3);
  const wave = (t: number) => Math.round(128 + 100 * Math.sin((2 * Math.PI * (t + phase)) / 10));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) rgb.set([wave(x), wave(y), 40 + 20 * phase], (y * w + x) * 3);
  return { width: w, height: h, rgb };
}

/** train/{a,b} and valid/{a,b}, two images each, imported at the default cache size. */
export async function importStripes() {
  const originals = new Map<string, { img: RgbImage; file: File }>();
  let phase = 0;
  for (const split of ['train', 'valid'])
    for (const cls of ['a', 'b'])
      for (const i of [0, 1]) {
        const img = stripes(phase++);
        const file = new File([encodeBmp(img)], `${i}.bmp`, { lastModified: 1 });
        originals.set(`set/${split}/${cls}/${i}.bmp`, { img, file });
      }
  const s = createWorkerState();
  const files = [...originals].map(([path, { file }]) => ({ path, file }));
  await importFiles(s.data, { files }, () => undefined);
  return { s, originals };
}
