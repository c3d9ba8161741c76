// The one-file page's weights as text: each weight set one base64 string of little-endian f32,
// or f16 halves (half the bytes; round to nearest even, the way a GPU stores half floats).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `v`, rounded to nearest even; overflow becomes infinity. */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 0x1f) return sign | (((x >>> 23) & 0xff) === 0xff && mant ? 0x7e00 : 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return sign; // below half the smallest subnormal
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is right
  return h;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** One weight set's tensors, in the graph's order, as base64 f32 (or f16). */
export function encodeWeights(parts: Float32Array[], f16: boolean): string {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = f16 ? new Uint16Array(n) : new Float32Array(n);
  let o = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[o++] = f16 ? toHalf(p[i]) : p[i];
  // Typed arrays are little-endian on every browser's platform, which the page relies on too.
  return toBase64(new Uint8Array(out.buffer));
}

export function decodeWeights(b64: string, f16: boolean): Float32Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  if (!f16) return new Float32Array(bytes.buffer);
  return Float32Array.from(new Uint16Array(bytes.buffer), fromHalf);
}
