import { useEffect, useState } from 'react';
import type { RgbSample } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';
import { RgbCanvas } from '../data/RgbCanvas';

// Thumbnails of imported files come from the worker's decoded cache (`dataImage`), once per path.
const samples = new Map<string, Promise<RgbSample | null>>();
const sampleOf = (path: string) => {
  let p = samples.get(path);
  if (!p) {
    p = useStudio
      .getState()
      .loadImage(path)
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
