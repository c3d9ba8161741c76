// Decoding in the worker: sniff the bytes (so a text file named .jpg gets an honest reason),
// read the size from the header (an image over the pixel cap is refused undecoded), decode with
// createImageBitmap (EXIF orientation applied), flatten to 3-channel RGB on white and shrink
// into the cache. Only the resized pixels are kept, never the originals.
import type { DecodeOutcome } from '../shared/dataset';
import { headerSize } from './imageHeader';

export interface CachedImage {
  width: number;
  height: number;
  /** Interleaved RGB, width * height * 3 bytes. */
  rgb: Uint8Array;
  origWidth: number;
  origHeight: number;
  hash: string;
}

/** Files above this are refused before reading them (no photo is this big). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Decoded pixels above this would take gigabytes of RGBA while decoding. */
export const MAX_PIXELS = 120e6;
/** A format whose size is not read from its header (ico) is decoded only below this. */
export const MAX_UNSIZED_BYTES = 32 * 2 ** 20;

const mp = (px: number) => `${Math.round(px / 1e6)} MP`;

/** The container format from the first bytes, or undefined if no image format matches. */
export function sniffFormat(b: Uint8Array): string | undefined {
  const ascii = (o: number, s: string) => [...s].every((ch, i) => b[o + i] === ch.charCodeAt(0));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && ascii(1, 'PNG')) return 'png';
  if (ascii(0, 'GIF8')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'BM')) return 'bmp';
  if (ascii(4, 'ftyp')) return 'avif';
  if (b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return 'ico';
  return undefined;
}

const looksLikeText = (b: Uint8Array) =>
  b.length > 0 &&
  b.every((x) => x === 9 || x === 10 || x === 13 || (x >= 32 && x !== 127) || x >= 0x80);

/**
 * A JPEG ends with the EOI marker (FF D9); a cut-off download does not. Phones pad files with
 * zeros after it (hundreds of KB), and some writers append a little junk, so: skip the zero
 * padding, then look for the marker near the end.
 */
export function jpegHasEnd(b: Uint8Array): boolean {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  for (let i = end - 2; i >= Math.max(0, end - 4096); i--)
    if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

const hex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** How much of each photo the cache keeps: `side` pixels on its long or its short side. */
export type SideOf = 'long' | 'short';

/** Size with `side` pixels on the long (or short) side, never upscaling. */
export function fitSize(w: number, h: number, side: number, of: SideOf = 'long'): [number, number] {
  const s = Math.min(1, side / (of === 'long' ? Math.max(w, h) : Math.min(w, h)));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

/** Refuses, before any decoder runs, an image whose header states more than MAX_PIXELS. */
export function checkHeader(bytes: Uint8Array, format: string, name: string): string | undefined {
  const size = headerSize(bytes, format);
  if (!size)
    return bytes.length > MAX_UNSIZED_BYTES
      ? `${name}: a ${format} file of ${Math.round(bytes.length / 2 ** 20)} MB whose size cannot be read from its header (over the ${MAX_UNSIZED_BYTES / 2 ** 20} MB cap for such files)`
      : undefined;
  if ('error' in size) return size.error;
  const px = size.width * size.height;
  if (px > MAX_PIXELS)
    return `image too large: ${name} is ${size.width}x${size.height} (${mp(px)}), over the ${mp(MAX_PIXELS)} cap; not decoded`;
  return undefined;
}

export async function decodeToCache(
  file: Blob,
  side: number,
  of: SideOf = 'long',
): Promise<CachedImage | { error: string }> {
  const name = (file as Partial<File>).name || 'the image';
  if (file.size > MAX_FILE_BYTES)
    return { error: `file too large (${Math.round(file.size / 2 ** 20)} MB)` };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    // NotReadableError: no read permission, or the file changed or vanished since it was picked.
    const kind = e instanceof Error ? e.name : 'Error';
    return { error: `could not be read (${kind}: no permission, or the file changed or moved)` };
  }
  // After the read: a file deleted since it was picked also reports size 0, but its read throws.
  if (bytes.length === 0) return { error: 'empty file (0 bytes)' };
  const format = sniffFormat(bytes);
  if (!format)
    return {
      error: looksLikeText(bytes.subarray(0, 512))
        ? 'not an image (text content)'
        : 'not an image (unknown format)',
    };
  if (format === 'jpeg' && !jpegHasEnd(bytes))
    return { error: 'truncated JPEG (no end-of-image marker)' };
  const refused = checkHeader(bytes, format, name);
  if (refused) return { error: refused };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image' });
  } catch {
    return { error: `could not be decoded (corrupt or unsupported ${format})` };
  }
  try {
    const [ow, oh] = [bitmap.width, bitmap.height];
    // The header said otherwise (a decoder that reads past it): still refused here.
    if (ow * oh > MAX_PIXELS)
      return {
        error: `image too large: ${name} is ${ow}x${oh} (${mp(ow * oh)}), over the ${mp(MAX_PIXELS)} cap`,
      };
    const [w, h] = fitSize(ow, oh, side, of);
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    // Transparent pixels become white, as a photo viewer shows them (their stored RGB is often junk).
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, w, h);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    const hash = hex(await crypto.subtle.digest('SHA-1', bytes));
    return { width: w, height: h, rgb, origWidth: ow, origHeight: oh, hash };
  } finally {
    bitmap.close();
  }
}

export const outcomeOf = (c: CachedImage | { error: string }): DecodeOutcome =>
  'error' in c ? c : { width: c.origWidth, height: c.origHeight, hash: c.hash };

/** Runs `fn` over `items` with at most `limit` in flight: thousands of files, bounded memory. */
export async function mapPool<T, R>(
  items: T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
  onDone?: (n: number) => void,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
