import { useEffect, useRef } from 'react';
import type { Capture } from '../../../shared/captures';
import { useStudio } from '../../store/studio';

/** One capture's JPEG through an object URL (CSP img-src allows blob:), revoked on unmount. */
function Thumb({ c, onDelete }: { c: Capture; onDelete: () => void }) {
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const u = URL.createObjectURL(c.file);
    img.current!.src = u;
    return () => URL.revokeObjectURL(u);
  }, [c.file]);
  return (
    <span className="capture" data-testid="capture-thumb" data-class={c.cls}>
      <img ref={img} width={56} height={42} alt={`${c.cls} capture ${c.id}`} />
      <button
        className="capture-delete"
        aria-label={`delete ${c.cls} capture ${c.id}`}
        title="delete this frame"
        onClick={onDelete}
      >
        ×
      </button>
    </span>
  );
}

/** The captured frames per class; a bad one is deleted with its × (the data is re-imported). */
export function CaptureThumbs() {
  const captures = useStudio((s) => s.dataCaptures);
  const deleteCaptures = useStudio((s) => s.deleteCaptures);
  const classes = [...new Set(captures.map((c) => c.cls))];
  if (captures.length === 0) return null;
  return (
    <div className="thumbs" data-testid="capture-thumbs">
      {classes.map((cls) => {
        const mine = captures.filter((c) => c.cls === cls);
        return (
          <div key={cls} className="thumb-row capture-row">
            <span className="thumb-label">
              {cls} ({mine.length})
            </span>
            {mine.map((c) => (
              <Thumb key={c.id} c={c} onDelete={() => void deleteCaptures([c.id])} />
            ))}
            <button
              aria-label={`delete all ${cls} captures`}
              onClick={() => void deleteCaptures(mine.map((c) => c.id))}
            >
              delete all
            </button>
          </div>
        );
      })}
    </div>
  );
}
