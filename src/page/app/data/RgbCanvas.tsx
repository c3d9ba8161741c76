import type { RgbSample } from '../../../shared/protocol';
import { useEffect, useRef } from 'react';

/** Draws a worker-made RGB sample (no image encoding round trip). */
export function RgbCanvas({
  sample,
  size,
  title,
}: {
  sample: RgbSample;
  size: number;
  title?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const { width: w, height: h, rgb } = sample;
    c.width = w;
    c.height = h;
    const img = new ImageData(w, h);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      img.data[i] = rgb[j];
      img.data[i + 1] = rgb[j + 1];
      img.data[i + 2] = rgb[j + 2];
      img.data[i + 3] = 255;
    }
    c.getContext('2d')!.putImageData(img, 0, 0);
  }, [sample]);
  const s = size / Math.max(sample.width, sample.height);
  return (
    <canvas
      ref={ref}
      title={title ?? sample.path}
      style={{ width: sample.width * s, height: sample.height * s }}
    />
  );
}
