// An image with an optional Grad-CAM heat map blended over it, drawn on a canvas.
import { useEffect, useRef } from 'react';
import type { ResultOf } from '../../../shared/protocol';
import { overlayRgba } from './heat';

type RgbSample = ResultOf<'showBatch'>[number];

/** The image the model saw, with an optional Grad-CAM heat map blended over it. */
export function HeatCanvas({
  image,
  heat,
  size,
  alpha = 0.5,
}: {
  image: RgbSample;
  heat?: Float32Array;
  size: number;
  alpha?: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    const px = overlayRgba(image.rgb, heat, image.width, image.height, alpha);
    c.getContext('2d')!.putImageData(new ImageData(px, image.width, image.height), 0, 0);
  }, [image, heat, alpha]);
  const s = size / Math.max(image.width, image.height);
  return (
    <canvas
      ref={ref}
      data-testid="gradcam-canvas"
      title={image.path}
      style={{ width: image.width * s, height: image.height * s }}
    />
  );
}
