// fastai's lr_find: run it, see the loss against the LR with the suggestions marked, click the
// curve to pick the fit's LR (shift-click: the low end of a slice).
import { useCallback, useMemo } from 'react';
import { slice, suggestLrs } from '../../../shared/schedule';
import { useStudio } from '../../store/studio';
import { StaticChart } from '../charts/LiveChart';
import { headLr } from './fitPolicy';
import { fmtLr } from './format';
import { SuggestChoice } from './SuggestChoice';

const fmt3 = (v: number) => v.toFixed(3);

export function LrFinder() {
  const lr = useStudio((s) => s.fitOptions.lr);
  const setFitOptions = useStudio((s) => s.setFitOptions);
  const result = useStudio((s) => s.lrFindResult);
  const chosen = useStudio((s) => s.lrSuggest);
  const status = useStudio((s) => s.trainStatus);
  const lrFind = useStudio((s) => s.lrFind);
  const hasLearner = useStudio((s) => !!s.trainSetup);
  const setupLearner = useStudio((s) => s.setupLearner);
  const series = useMemo(
    () =>
      result
        ? [
            {
              name: 'loss',
              color: 'var(--accent)',
              points: result.lrs.map((x, i) => ({ x, y: result.losses[i] })),
            },
          ]
        : [],
    [result],
  );
  // Every chosen suggestion, recomputed from the curve: ticking one more needs no new run.
  const suggested = useMemo(
    () => (result ? suggestLrs(result.lrs, result.losses, result.numIt, chosen) : undefined),
    [result, chosen],
  );
  const markers = useMemo(
    () => [
      ...Object.entries(suggested ?? {}).map(([name, s]) => ({
        x: s.lr,
        label: name,
        color: 'var(--ok)',
      })),
      // A slice shows both ends: lo for the first parameter group, hi for the head.
      ...(typeof lr === 'number'
        ? [{ x: lr, label: 'picked', color: 'var(--bad)' }]
        : [
            ...(lr.lo === undefined ? [] : [{ x: lr.lo, label: 'slice lo', color: 'var(--bad)' }]),
            { x: lr.hi, label: 'slice hi', color: 'var(--bad)' },
          ]),
    ],
    [suggested, lr],
  );
  // Click: one LR. Shift-click: slice(lo, hi) with the picked LR as lo and the current LR (or
  // slice's hi) as hi, fastai's discriminative LRs for an unfrozen body.
  const pick = useCallback(
    (v: number, shift: boolean) =>
      setFitOptions({ lr: shift && v < headLr(lr) ? slice(v, headLr(lr)) : v }),
    [lr, setFitOptions],
  );
  const run = async () => {
    if (!hasLearner) await setupLearner();
    await lrFind();
  };
  return (
    <div className="subcard" data-testid="lr-finder">
      <div className="row">
        <button onClick={() => void run()} disabled={status === 'running'} data-testid="lr-find">
          Run LR finder
        </button>
        <SuggestChoice disabled={status === 'running'} />
        {suggested && (
          <span data-testid="lr-suggestion">
            suggested ({chosen[0]}): {fmtLr(suggested[chosen[0]].lr)}
            {chosen.length > 1 &&
              ` (${chosen
                .slice(1)
                .map((n) => `${n} ${fmtLr(suggested[n].lr)}`)
                .join(', ')})`}{' '}
            · click the curve to pick an LR, shift-click for the low end of a slice
          </span>
        )}
        {result && (
          <span className="muted" data-testid="lr-mode">
            {result.mode === 'precompute'
              ? `${result.lrs.length} iterations, head on precomputed body features`
              : `${result.lrs.length} iterations through the whole model`}
          </span>
        )}
      </div>
      {result && (
        <StaticChart
          label="LR finder: loss against learning rate"
          testId="lr-plot"
          series={series}
          logX
          markers={markers}
          onPick={pick}
          format={fmt3}
          xFormat={fmtLr}
        />
      )}
    </div>
  );
}
