import type { RgbSample } from '../../../shared/protocol';
import { useEffect, useRef, useState } from 'react';
import { overlayRgba } from './heat';
import { worker } from '../../store/studio';
import { RgbCanvas } from '../data/RgbCanvas';

// Thumbnails of imported files come from the worker's decoded cache (`dataImage`), once per path.
const samples = new Map<string, Promise<RgbSample | null>>();
const sampleOf = (path: string) => {
  let p = samples.get(path);
  if (!p) {
    p = worker()
      .call('dataImage', { path })
      .catch(() => null);
    samples.set(path, p);
  }
  return p;
};

/** An imported image by path (or a placeholder for items that are not files, e.g. the demo set). */
export function Thumb({ path, size, imported }: { path: string; size: number; imported: boolean }) {
  const [sample, setSample] = useState<RgbSample | null>(null);
  useEffect(() => {
    let live = true;
    if (imported) void sampleOf(path).then((s) => live && setSample(s));
    return () => {
      live = false;
    };
  }, [path, imported]);
  if (!sample)
    return (
      <div className="thumb-placeholder" style={{ width: size, height: size }} title={path}>
        {path.slice(path.lastIndexOf('/') + 1)}
      </div>
    );
  return <RgbCanvas sample={sample} size={size} />;
}

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
