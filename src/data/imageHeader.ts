// Image dimensions from the file's header bytes, before any decoder runs: a 775 KB PNG can state
// 16000x16000 pixels (1 GB of RGBA once decoded). Every read is bounds-checked and every walk
// moves forward by at least one byte, so a hostile or truncated header can only give an error.
// Layouts: PNG (RFC 2083 IHDR), JPEG (ITU T.81 B.1.1 markers), GIF89a, WebP container spec
// (VP8/VP8L/VP8X), BMP (BITMAPINFOHEADER / BITMAPCOREHEADER), AVIF (ISO 23008-12 'ispe').

export type HeaderSize = { width: number; height: number } | { error: string };

const u16be = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u16le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u24le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const u32be = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + u16be(b, o + 1) * 256 + b[o + 3];
const i32le = (b: Uint8Array, o: number) =>
  b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
const tag = (b: Uint8Array, o: number, s: string) =>
  o + s.length <= b.length && [...s].every((c, i) => b[o + i] === c.charCodeAt(0));
const truncated = (format: string): HeaderSize => ({
  error: `truncated ${format} header (no image size)`,
});

function png(b: Uint8Array): HeaderSize {
  if (b.length < 24) return truncated('PNG');
  if (!tag(b, 12, 'IHDR')) return { error: 'corrupt PNG header (IHDR is not the first chunk)' };
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpeg(b: Uint8Array): HeaderSize {
  let p = 2; // after SOI
  while (p < b.length) {
    // Like libjpeg's next_marker: junk before a marker is skipped, as are fill bytes (FF FF ...).
    while (p < b.length && b[p] !== 0xff) p++;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) break;
    const m = b[p++];
    if (m === 0xd9 || m === 0xda)
      return { error: 'corrupt JPEG (no frame header before the scan)' };
    // Standalone markers have no length: TEM, RSTn, SOI.
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue;
    if (p + 2 > b.length) break;
    const len = u16be(b, p);
    if (len < 2) return { error: `corrupt JPEG (segment length ${len} at byte ${p})` };
    if (isSof(m)) {
      if (p + 7 > b.length) break;
      // length(2) precision(1) height(2) width(2); height 0 means "set later by DNL".
      const [height, width] = [u16be(b, p + 3), u16be(b, p + 5)];
      if (height === 0 || width === 0)
        return { error: 'unsupported JPEG (frame size left to a DNL marker)' };
      return { width, height };
    }
    p += len;
  }
  return truncated('JPEG');
}

function gif(b: Uint8Array): HeaderSize {
  if (b.length < 13) return truncated('GIF');
  let [width, height] = [u16le(b, 6), u16le(b, 8)];
  // Chrome grows the canvas to a first frame larger than the logical screen: walk to it.
  let p = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  const skipSubBlocks = () => {
    while (p < b.length && b[p] !== 0) p += b[p] + 1;
    p++;
  };
  while (p < b.length) {
    const kind = b[p];
    if (kind === 0x21) {
      p += 2; // introducer, label
      skipSubBlocks();
    } else if (kind === 0x2c) {
      if (p + 10 > b.length) break;
      width = Math.max(width, u16le(b, p + 1) + u16le(b, p + 5));
      height = Math.max(height, u16le(b, p + 3) + u16le(b, p + 7));
      return { width, height };
    } else break; // trailer or junk: no frame
  }
  return width && height ? { width, height } : truncated('GIF');
}

function webp(b: Uint8Array): HeaderSize {
  if (b.length < 16) return truncated('WebP');
  const need = tag(b, 12, 'VP8L') ? 25 : 30;
  if (b.length < need) return truncated('WebP');
  if (tag(b, 12, 'VP8X')) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (tag(b, 12, 'VP8L')) {
    if (b[20] !== 0x2f) return { error: 'corrupt WebP (bad VP8L signature)' };
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (tag(b, 12, 'VP8 ')) {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
      return { error: 'corrupt WebP (bad VP8 start code)' };
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  return { error: 'corrupt WebP (no VP8, VP8L or VP8X chunk first)' };
}

function bmp(b: Uint8Array): HeaderSize {
  if (b.length < 26) return truncated('BMP');
  if (i32le(b, 14) === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
  // Height is negative for top-down bitmaps.
  return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
}

/** AVIF: the largest 'ispe' (image spatial extents) box among the first 64 KB; a grid image
 * has one for the whole canvas and one per tile. A scan, not a box walk: it never loops. */
function avif(b: Uint8Array): HeaderSize | undefined {
  let best: { width: number; height: number } | undefined;
  for (let p = 4; p + 16 <= Math.min(b.length, 65536); p++) {
    if (b[p] !== 0x69 || !tag(b, p, 'ispe')) continue;
    const [width, height] = [u32be(b, p + 8), u32be(b, p + 12)];
    if (!best || width * height > best.width * best.height) best = { width, height };
  }
  return best;
}

/**
 * The stated size of an image of `format` (sniffFormat's names). An error for a header that is
 * cut short or corrupt (no decoder would get further); undefined for a format whose size is
 * not read here (ico, an AVIF without 'ispe'): the caller falls back to a byte cap.
 */
export function headerSize(b: Uint8Array, format: string): HeaderSize | undefined {
  return READERS[format]?.(b);
}
const READERS: Record<string, (b: Uint8Array) => HeaderSize | undefined> = {
  png,
  jpeg,
  gif,
  webp,
  bmp,
  avif,
};
