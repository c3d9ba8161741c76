// One top-loss image: its thumbnail or Grad-CAM overlay, prediction / actual, loss / probability.
import type { ResultOf } from '../../../shared/protocol';
import { gradcamKey } from '../../store/interpretSlice';
import { useStudio } from '../../store/studio';
import { HeatCanvas } from './HeatCanvas';
import { Thumb } from './Thumb';

type TopLossItem = ResultOf<'interpret'>['topLosses'][number];

export function TopLossFigure({ t, cam }: { t: TopLossItem; cam: boolean }) {
  const r = useStudio((s) => s.interpretResult)!;
  const g = useStudio((s) => s.gradcams[gradcamKey({ index: t.index })]);
  return (
    <figure data-testid="top-loss" data-index={t.index} data-path={t.path}>
      {cam && g ? (
        <HeatCanvas image={g.image} heat={g.heatmap} size={112} />
      ) : (
        <Thumb path={t.path} size={112} imported={r.imported} />
      )}
      <figcaption>
        <span title="prediction / actual">
          {t.predicted.join(';') || '∅'} / {t.actual.join(';') || '∅'}
        </span>
        <br />
        <span title="loss / probability">
          {t.loss.toFixed(2)} / {t.prob.toFixed(2)}
        </span>
      </figcaption>
    </figure>
  );
}
