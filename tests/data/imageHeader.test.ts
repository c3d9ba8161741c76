import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkHeader, decodeToCache, MAX_UNSIZED_BYTES, sniffFormat } from '../../src/data/decode';
import { headerSize } from '../../src/data/imageHeader';

// ************* crafted headers: tiny files that state huge sizes *************

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16((n >>> 16) & 0xffff)];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const bytes = (...parts: number[][]) => new Uint8Array(parts.flat());

const png = (w: number, h: number) =>
  bytes([0x89, ...ascii('PNG'), 13, 10, 26, 10], be32(13), ascii('IHDR'), be32(w), be32(h), [8, 2, 0, 0, 0], be32(0)); // prettier-ignore
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];
const jpegSegment = (marker: number, body: number[]) => [0xff, marker, ...be16(body.length + 2), ...body]; // prettier-ignore
const jpeg = (w: number, h: number, before: number[][] = []) =>
  bytes([0xff, 0xd8], ...before, jpegSegment(0xc0, [8, ...be16(h), ...be16(w), 1, 1, 0x11, 0]), [0xff, 0xd9]); // prettier-ignore
const riff = (chunk: string, body: number[]) =>
  bytes(ascii('RIFF'), le32(4 + 8 + body.length), ascii('WEBP'), ascii(chunk), le32(body.length), body); // prettier-ignore
const gif = (sw: number, sh: number, frame?: [number, number, number, number]) =>
  bytes(ascii('GIF89a'), le16(sw), le16(sh), [0, 0, 0],
    [0x21, 0xf9, 4, 0, 0, 0, 0, 0], // graphic control extension, one sub-block
    frame ? [0x2c, ...frame.flatMap(le16), 0, 2, 0] : [], [0x3b]); // prettier-ignore
const bmp = (w: number, h: number) => bytes(ascii('BM'), le32(0), le32(0), le32(54), le32(40), le32(w), le32(h), le16(1), le16(24)); // prettier-ignore

/** Every index the reader touches is recorded; one at or past the end fails the test. */
function watched(b: Uint8Array) {
  const outOfBounds: number[] = [];
  const proxy = new Proxy(b, {
    get(t, k) {
      if (typeof k === 'string' && /^-?\d+$/.test(k) && (+k < 0 || +k >= t.length))
        outOfBounds.push(+k);
      const v = (t as unknown as Record<string | symbol, unknown>)[k];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return { proxy, outOfBounds };
}

describe('image size from the header bytes', () => {
  it('reads the stated size of each format', () => {
    expect(headerSize(png(16000, 16000), 'png')).toEqual({ width: 16000, height: 16000 });
    expect(headerSize(png(0xffffffff, 3), 'png')).toEqual({ width: 0xffffffff, height: 3 });
    // A JFIF APP0 and an EXIF APP1 before the frame header are walked over.
    const app0 = jpegSegment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const app1 = jpegSegment(0xe1, [...ascii('Exif'), 0, 0, ...Array(300).fill(0xff)]);
    expect(headerSize(jpeg(60000, 50000, [app0, app1]), 'jpeg')).toEqual({
      width: 60000,
      height: 50000,
    });
    expect(headerSize(bytes([0xff, 0xd8, 0xff, 0xff], jpegSegment(0xc2, [8, 0, 9, 0, 7])), 'jpeg')) // progressive, fill bytes
      .toEqual({ width: 7, height: 9 }); // prettier-ignore
    expect(headerSize(gif(10, 10), 'gif')).toEqual({ width: 10, height: 10 });
    // A first frame larger than the logical screen grows the canvas.
    expect(headerSize(gif(10, 10, [5, 0, 60000, 40000]), 'gif')).toEqual({
      width: 60005,
      height: 40000,
    });
    expect(headerSize(riff('VP8X', [0, 0, 0, 0, ...le24(19999), ...le24(9999)]), 'webp')).toEqual({
      width: 20000,
      height: 10000,
    });
    const vp8l = (16383 | (16383 << 14)) >>> 0;
    expect(headerSize(riff('VP8L', [0x2f, ...le32(vp8l), 0]), 'webp')).toEqual({
      width: 16384,
      height: 16384,
    });
    expect(
      headerSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(16383), ...le16(300)]), 'webp'),
    ).toEqual({ width: 16383, height: 300 });
    expect(headerSize(bmp(30000, -30000), 'bmp')).toEqual({ width: 30000, height: 30000 });
    const avif = bytes(be32(20), ascii('ftypavif'), be32(0), be32(20), ascii('ispe'), be32(0), be32(40000), be32(30000)); // prettier-ignore
    expect(sniffFormat(avif)).toBe('avif');
    expect(headerSize(avif, 'avif')).toEqual({ width: 40000, height: 30000 });
    expect(headerSize(bytes([0, 0, 1, 0, 1, 0]), 'ico')).toBeUndefined();
  });

  it('JPEG segments with corrupt lengths give an error, never a loop', () => {
    // Length 0 and 1 would not move the walk forward.
    for (const len of [0, 1]) {
      const b = bytes([0xff, 0xd8, 0xff, 0xe0, 0, len, 0xff, 0xc0]);
      expect(headerSize(b, 'jpeg')).toEqual({
        error: `corrupt JPEG (segment length ${len} at byte 4)`,
      });
    }
    // A length that points past the end of the file.
    expect(headerSize(bytes([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xf0, 1, 2, 3]), 'jpeg')).toEqual({
      error: 'truncated JPEG header (no image size)',
    });
    // The scan starts before any frame header.
    expect(headerSize(bytes([0xff, 0xd8, 0xff, 0xda, 0, 2]), 'jpeg')).toEqual({
      error: 'corrupt JPEG (no frame header before the scan)',
    });
    // 100 000 empty segments: walked once each.
    const many = bytes([0xff, 0xd8], ...Array.from({ length: 100_000 }, () => [0xff, 0xfe, 0, 2]));
    const t0 = performance.now();
    expect(headerSize(many, 'jpeg')).toEqual({ error: 'truncated JPEG header (no image size)' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('never reads out of bounds: every prefix of every header, and random bytes after the magic', () => {
    const app1 = jpegSegment(0xe1, Array(40).fill(7));
    const samples: [string, Uint8Array][] = [
      ['png', png(16000, 16000)],
      ['jpeg', jpeg(16000, 16000, [app1])],
      ['gif', gif(10, 10, [0, 0, 100, 100])],
      ['webp', riff('VP8X', Array(10).fill(255))],
      ['webp', riff('VP8L', [0x2f, 255, 255, 255, 255, 0])],
      ['webp', riff('VP8 ', [0, 0, 0, 0x9d, 1, 0x2a, 255, 255, 255, 255])],
      ['bmp', bmp(100, 100)],
    ];
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
    for (const [format, full] of samples) {
      const inputs = Array.from({ length: full.length + 1 }, (_, n) => full.subarray(0, n));
      for (let k = 0; k < 300; k++) {
        const b = full.slice(0, 8 + (rand() % 64));
        for (let i = 4; i < b.length; i++) b[i] = rand();
        inputs.push(b);
      }
      for (const b of inputs) {
        const { proxy, outOfBounds } = watched(b);
        const r = headerSize(proxy, format)!;
        expect(outOfBounds, `${format} header of ${b.length} bytes`).toEqual([]);
        if (!('error' in r)) expect(Number.isFinite(r.width * r.height)).toBe(true);
      }
    }
  });
});

// ************* refusing before any decoder runs *************

describe('decodeToCache checks the header before decoding', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a 16000x16000 PNG is refused with its name, size and the cap; no decoder is called', async () => {
    const decoder = vi.fn();
    vi.stubGlobal('createImageBitmap', decoder);
    const file = new File([png(16000, 16000)], 'cats/huge.png');
    expect(await decodeToCache(file, 128)).toEqual({
      error:
        'image too large: cats/huge.png is 16000x16000 (256 MP), over the 120 MP cap; not decoded',
    });
    expect(decoder).not.toHaveBeenCalled();
  });

  it('a truncated or corrupt header is an error, not a decode', async () => {
    const decoder = vi.fn();
    vi.stubGlobal('createImageBitmap', decoder);
    expect(await decodeToCache(new Blob([png(1, 1).subarray(0, 20)]), 128)).toEqual({
      error: 'truncated PNG header (no image size)',
    });
    const corrupt = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 1, 0xff, 0xd9]);
    expect(await decodeToCache(new Blob([corrupt]), 128)).toEqual({
      error: 'corrupt JPEG (segment length 1 at byte 4)',
    });
    expect(decoder).not.toHaveBeenCalled();
  });

  it('a format without a size reader is decoded only under the byte cap', () => {
    const ico = new Uint8Array(MAX_UNSIZED_BYTES + 1);
    ico.set([0, 0, 1, 0]);
    expect(checkHeader(ico, 'ico', 'x.ico')).toBe(
      'x.ico: a ico file of 32 MB whose size cannot be read from its header (over the 32 MB cap for such files)',
    );
    expect(checkHeader(ico.subarray(0, 1000), 'ico', 'x.ico')).toBeUndefined();
    expect(checkHeader(png(10000, 12000), 'png', 'ok.png')).toBeUndefined(); // exactly the cap
  });
});
