import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitSize, jpegHasEnd, mapPool, sniffFormat } from '../../src/data/decode';

const DATASETS = join(__dirname, '../../../shared/datasets');
const read = (p: string) => new Uint8Array(readFileSync(join(DATASETS, p)));

describe('byte sniffing before decoding', () => {
  it('recognises image containers by content, not by name', () => {
    expect(sniffFormat(read('messy_two_class/one/modern.webp'))).toBe('webp');
    expect(sniffFormat(read('messy_two_class/one/bitmap.bmp'))).toBe('bmp');
    expect(sniffFormat(read('messy_two_class/one/UPPER.JPEG'))).toBe('jpeg');
    expect(sniffFormat(read('messy_two_class/one/not_an_image.jpg'))).toBeUndefined();
  });

  it('tells a truncated JPEG from a phone photo padded with zeros after its end marker', () => {
    expect(jpegHasEnd(read('messy_two_class/one/truncated.jpg'))).toBe(false);
    expect(jpegHasEnd(read('sign_language_digits/train/7/IMG_5874.JPG'))).toBe(true);
    expect(jpegHasEnd(read('messy_two_class/one/progressive.jpg'))).toBe(true);
  });

  it('fits the cache size without upscaling', () => {
    expect(fitSize(6000, 4000, 128)).toEqual([128, 85]);
    expect(fitSize(100, 100, 128)).toEqual([100, 100]);
    expect(fitSize(1, 1, 128)).toEqual([1, 1]);
  });

  it('mapPool keeps at most `limit` tasks in flight and keeps the order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapPool(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return i * 2;
      },
    );
    expect(peak).toBe(3);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
