// The fit's progress: overall and epoch bars, ETA and images/s from the worker's own clock.
import { useStudio } from '../../store/studio';
import { fmtTime } from './format';

export function Progress() {
  const batches = useStudio((s) => s.trainBatches);
  const running = useStudio((s) => s.trainStatus === 'running');
  const last = batches.at(-1);
  if (!last) return null;
  // Speed from the worker's clock: seconds since the fit started over iterations done in it.
  const firstIter = batches[0].iter - 1;
  const done = last.iter - firstIter;
  const perIter = done > 0 ? last.elapsed / done : 0;
  const eta = perIter * (last.of - last.iter);
  let nIterEpoch = 0;
  for (const b of batches) if (b.epoch === batches[0].epoch) nIterEpoch++;
  nIterEpoch = Math.max(1, nIterEpoch);
  return (
    <div className="progress-grid" data-testid="train-progress">
      <label htmlFor="progress-overall">overall</label>
      <progress id="progress-overall" max={last.of} value={last.iter} />
      <span>
        {last.iter}/{last.of} · ETA <b data-testid="eta">{perIter ? fmtTime(eta) : '…'}</b>
        {perIter > 0 && <> · {(last.bs / perIter).toFixed(1)} images/s</>}
        {!running && ' · finished'}
      </span>
      <label htmlFor="progress-epoch">epoch {last.epoch + 1}</label>
      <progress id="progress-epoch" max={nIterEpoch} value={((last.iter - 1) % nIterEpoch) + 1} />
      <span>elapsed {fmtTime(last.elapsed)}</span>
    </div>
  );
}
