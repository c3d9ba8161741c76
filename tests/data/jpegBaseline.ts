// A baseline JPEG decoder for the unit tests' createImageBitmap stand-in (nodeImages.ts): Node
// has no image decoder and the project installs none. Enough for the datasets' photos (trashnet:
// baseline, Huffman, 4:2:0, 8 bit): any sampling factors, restart intervals, 1 or 3 components.
// Not for the product: chroma is upsampled by nearest neighbour, and progressive JPEG is refused.
// Reference: ITU-T T.81 (https://www.w3.org/Graphics/JPEG/itu-t81.pdf), F.2 and A.3.3.
import type { RgbImage } from '../../src/data/itemTransforms';

// prettier-ignore
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
  13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
  45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
/** COS[x * 8 + u] = C(u) cos((2x + 1) u pi / 16), C(0) = 1 / sqrt 2: the 8-point IDCT basis. */
const COS = Float64Array.from({ length: 64 }, (_, i) => {
  const [x, u] = [i >> 3, i & 7];
  return (u ? 1 : Math.SQRT1_2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

/** Canonical Huffman table (T.81 F.2.2.3): maxcode, valptr and mincode per code length. */
function huffman(counts: Uint8Array, symbols: Uint8Array) {
  const [maxcode, valptr, mincode] = [
    new Int32Array(18).fill(-1),
    new Int32Array(17),
    new Int32Array(17),
  ];
  let [code, k] = [0, 0];
  for (let len = 1; len <= 16; len++) {
    valptr[len] = k;
    mincode[len] = code;
    code += counts[len - 1];
    k += counts[len - 1];
    maxcode[len] = counts[len - 1] ? code - 1 : -1;
    code <<= 1;
  }
  return { maxcode, valptr, mincode, symbols };
}
type Huffman = ReturnType<typeof huffman>;

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  td: number;
  ta: number;
  pred: number;
  /** Decoded samples, (blocks per line * 8) wide. */
  plane: Uint8Array;
  width: number;
}

/** Reads the entropy-coded bits of a scan: 0xFF00 is a stuffed 0xFF; a marker ends the data. */
function bitReader(b: Uint8Array, start: number) {
  let [p, bits, n] = [start, 0, 0];
  const bit = () => {
    if (n === 0) {
      bits = b[p] ?? 0;
      if (bits === 0xff) {
        if (b[p + 1] === 0) p++;
        else bits = 0; // a marker: pad with zeros
      }
      if (bits !== 0 || b[p] !== 0xff) p++;
      n = 8;
    }
    n--;
    return (bits >> n) & 1;
  };
  const receive = (s: number) => {
    let v = 0;
    for (let i = 0; i < s; i++) v = (v << 1) | bit();
    return v;
  };
  return {
    decode(t: Huffman) {
      let code = 0;
      for (let len = 1; len <= 16; len++) {
        code = (code << 1) | bit();
        if (code <= t.maxcode[len]) return t.symbols[t.valptr[len] + code - t.mincode[len]];
      }
      throw new Error('corrupt JPEG: bad Huffman code');
    },
    /** receive + extend (T.81 F.2.2.1): s bits as a signed magnitude. */
    signed(s: number) {
      const v = receive(s);
      return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    },
    /** Byte-aligns past a restart marker (RSTn). */
    restart() {
      n = 0;
      while (p < b.length && !(b[p] === 0xff && b[p + 1] >= 0xd0 && b[p + 1] <= 0xd7)) p++;
      p += 2;
    },
    get pos() {
      return p;
    },
  };
}

/** Dequantises a zigzag block and writes its 8x8 inverse DCT (+128, clamped) into the plane. */
function idctBlock(coef: Float64Array, q: Int32Array, c: Component, bx: number, by: number) {
  const f = new Float64Array(64);
  for (let k = 0; k < 64; k++) f[ZIGZAG[k]] = coef[k] * q[k];
  const tmp = new Float64Array(64);
  for (let v = 0; v < 8; v++)
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += COS[x * 8 + u] * f[v * 8 + u];
      tmp[v * 8 + x] = s;
    }
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += COS[y * 8 + v] * tmp[v * 8 + x];
      c.plane[(by * 8 + y) * c.width + bx * 8 + x] = Math.max(
        0,
        Math.min(255, Math.round(s / 4 + 128)),
      );
    }
}

export function decodeJpeg(b: Uint8Array): RgbImage {
  const qt: Int32Array[] = [];
  const tables = new Map<number, Huffman>();
  let [width, height, restartInterval] = [0, 0, 0];
  let comps: Component[] = [];
  let p = 2;
  while (p + 4 <= b.length) {
    const m = b[p + 1];
    const len = (b[p + 2] << 8) | b[p + 3];
    const seg = b.subarray(p + 4, p + 2 + len);
    p += 2 + len;
    if (m === 0xd9) break;
    if (m === 0xc2) throw new Error('progressive JPEG: not supported by the test decoder');
    if (m === 0xdb)
      for (let i = 0; i < seg.length;) {
        const [wide, id] = [seg[i] >> 4, seg[i] & 15];
        const t = new Int32Array(64);
        for (let k = 0; k < 64; k++)
          t[k] = wide ? (seg[i + 1 + 2 * k] << 8) | seg[i + 2 + 2 * k] : seg[i + 1 + k];
        qt[id] = t;
        i += 1 + (wide ? 128 : 64);
      }
    else if (m === 0xc4)
      for (let i = 0; i < seg.length;) {
        const counts = seg.subarray(i + 1, i + 17);
        const n = counts.reduce((s, c) => s + c, 0);
        tables.set(seg[i], huffman(counts, seg.subarray(i + 17, i + 17 + n)));
        i += 17 + n;
      }
    else if (m === 0xdd) restartInterval = (seg[0] << 8) | seg[1];
    else if (m === 0xc0 || m === 0xc1) {
      [height, width] = [(seg[1] << 8) | seg[2], (seg[3] << 8) | seg[4]];
      comps = Array.from({ length: seg[5] }, (_, i) => {
        const o = 6 + 3 * i;
        return {
          id: seg[o],
          h: seg[o + 1] >> 4,
          v: seg[o + 1] & 15,
          tq: seg[o + 2],
          td: 0,
          ta: 0,
          pred: 0,
          plane: new Uint8Array(0),
          width: 0,
        };
      });
    } else if (m === 0xda) {
      for (let i = 0; i < seg[0]; i++) {
        const c = comps.find((x) => x.id === seg[1 + 2 * i])!;
        [c.td, c.ta] = [seg[2 + 2 * i] >> 4, seg[2 + 2 * i] & 15];
      }
      p = decodeScan(b, p, comps, qt, tables, width, height, restartInterval);
      while (p < b.length && !(b[p] === 0xff && b[p + 1] !== 0 && (b[p + 1] & 0xf8) !== 0xd0)) p++;
    }
  }
  return toRgb(comps, width, height);
}

function decodeScan(
  b: Uint8Array,
  start: number,
  comps: Component[],
  qt: Int32Array[],
  tables: Map<number, Huffman>,
  width: number,
  height: number,
  restartInterval: number,
): number {
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const [mcux, mcuy] = [Math.ceil(width / (8 * hmax)), Math.ceil(height / (8 * vmax))];
  for (const c of comps) {
    c.width = mcux * c.h * 8;
    c.plane = new Uint8Array(c.width * mcuy * c.v * 8);
    c.pred = 0;
  }
  const r = bitReader(b, start);
  const coef = new Float64Array(64);
  for (let mcu = 0; mcu < mcux * mcuy; mcu++) {
    if (restartInterval && mcu && mcu % restartInterval === 0) {
      r.restart();
      for (const c of comps) c.pred = 0;
    }
    const [mx, my] = [mcu % mcux, Math.floor(mcu / mcux)];
    for (const c of comps)
      for (let v = 0; v < c.v; v++)
        for (let h = 0; h < c.h; h++) {
          coef.fill(0);
          const t = r.decode(tables.get(c.td)!);
          c.pred += t ? r.signed(t) : 0;
          coef[0] = c.pred;
          const ac = tables.get(0x10 | c.ta)!;
          for (let k = 1; k < 64; k++) {
            const rs = r.decode(ac);
            if ((rs & 15) === 0) {
              if (rs >> 4 !== 15) break;
              k += 15;
              continue;
            }
            k += rs >> 4;
            coef[k] = r.signed(rs & 15);
          }
          idctBlock(coef, qt[c.tq], c, mx * c.h + h, my * c.v + v);
        }
  }
  return r.pos;
}

/** YCbCr (JFIF) to RGB; chroma planes upsampled by nearest neighbour. */
function toRgb(comps: Component[], width: number, height: number): RgbImage {
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const at = (c: Component, x: number, y: number) =>
    c.plane[Math.floor((y * c.v) / vmax) * c.width + Math.floor((x * c.h) / hmax)];
  const rgb = new Uint8Array(width * height * 3);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const Y = at(comps[0], x, y);
      const o = (y * width + x) * 3;
      if (comps.length === 1) {
        rgb.set([Y, Y, Y], o);
        continue;
      }
      const [cb, cr] = [at(comps[1], x, y) - 128, at(comps[2], x, y) - 128];
      rgb.set(
        [clamp(Y + 1.402 * cr), clamp(Y - 0.344136 * cb - 0.714136 * cr), clamp(Y + 1.772 * cb)],
        o,
      );
    }
  return { width, height, rgb };
}
