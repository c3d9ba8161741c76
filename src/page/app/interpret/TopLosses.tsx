// fastai's plot_top_losses: the worst validation images, optionally with Grad-CAM overlays
// computed one at a time in the worker.
import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';
import { TopLossFigure } from './TopLossFigure';

export function TopLosses({ r }: { r: ResultOf<'interpret'> }) {
  const [cam, setCam] = useState(false);
  const loadGradcam = useStudio((s) => s.loadGradcam);
  const [camBusy, setCamBusy] = useState(false);
  useEffect(() => {
    if (!cam) return;
    let live = true;
    // One at a time: the worker runs them in order, the grid fills in as they arrive.
    void (async () => {
      setCamBusy(true);
      for (const t of r.topLosses) {
        if (!live) break;
        await loadGradcam({ index: t.index });
      }
      if (live) setCamBusy(false);
    })();
    return () => {
      live = false;
    };
  }, [cam, r, loadGradcam]);
  return (
    <div>
      <div className="row">
        <label>
          <input
            type="checkbox"
            data-testid="gradcam-toggle"
            checked={cam}
            onChange={(e) => setCam(e.target.checked)}
          />{' '}
          Grad-CAM overlay (last conv block; explains the predicted class)
        </label>
        {cam && camBusy && <span className="muted">computing heat maps…</span>}
      </div>
      <p className="muted">prediction / actual · loss / probability</p>
      <div className="interp-grid big" data-testid="top-losses">
        {r.topLosses.map((t) => (
          <TopLossFigure key={t.index} t={t} cam={cam} />
        ))}
      </div>
    </div>
  );
}
