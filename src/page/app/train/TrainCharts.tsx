// The live charts of a fit: loss per batch with validation loss per epoch, the LR and momentum
// schedules against their plan, and the metrics per epoch.
import { useMemo } from 'react';
import type { Studio } from '../../store/studio';
import { useStudio } from '../../store/studio';
import { LiveChart } from '../charts/LiveChart';
import { useThrottledStudio } from '../charts/useThrottledStudio';
import { headLr } from './fitPolicy';
import { fmtLr } from './format';
import { plannedSchedule } from './plan';

// Stable formatter props: the charts are memoised and skip renders when their props are equal.
const fmt3 = (v: number) => v.toFixed(3);
const fmt2 = (v: number) => v.toFixed(2);
const fmtInt = (v: number) => String(Math.round(v));
/** How often the live charts re-render while training. */
const CHART_MS = 1000;
const selectBatches = (s: Studio) => s.trainBatches;
const selectEpochs = (s: Studio) => s.trainEpochs;

export function TrainCharts() {
  const o = useStudio((s) => s.fitOptions);
  const { policy, moms } = o;
  const lr = headLr(o.lr);
  const [cycleLen, cycleMult, nCycles] = [o.cycleLen ?? 1, o.cycleMult ?? 2, o.epochs];
  // Throttled to ~1 render per second: the store itself updates every 250 ms.
  const batches = useThrottledStudio(selectBatches, CHART_MS);
  const epochs = useThrottledStudio(selectEpochs, CHART_MS);
  const total = batches.at(-1)?.of ?? 0;
  const plan = useMemo(
    () => plannedSchedule(policy, total, lr, { cycleLen, cycleMult, nCycles }, moms),
    [policy, total, lr, cycleLen, cycleMult, nCycles, moms],
  );
  const loss = useMemo(() => {
    // Validation loss sits at the last iteration of its epoch.
    const endIter = new Map<number, number>();
    for (const b of batches) endIter.set(b.epoch, b.iter);
    return [
      {
        name: 'train loss',
        color: 'var(--raw)',
        points: batches.map((b) => ({ x: b.iter, y: b.loss })),
      },
      {
        name: 'smoothed',
        color: 'var(--accent)',
        points: batches.map((b) => ({ x: b.iter, y: b.smoothLoss })),
      },
      {
        name: 'valid loss',
        color: 'var(--bad)',
        points: epochs.map((e) => ({ x: endIter.get(e.epoch) ?? 0, y: e.validLoss })),
      },
    ];
  }, [batches, epochs]);
  const sched = useMemo(
    () => [
      {
        name: 'lr plan',
        color: 'var(--plan)',
        dashed: true,
        points: plan.map((p) => ({ x: p.iter, y: p.lr })),
      },
      {
        name: 'lr',
        color: 'var(--accent)',
        points: batches.map((b) => ({ x: b.iter, y: b.lr })),
      },
    ],
    [plan, batches],
  );
  const mom = useMemo(
    () => [
      {
        name: 'mom plan',
        color: 'var(--plan)',
        dashed: true,
        points: plan.filter((p) => p.mom !== undefined).map((p) => ({ x: p.iter, y: p.mom! })),
      },
      { name: 'mom', color: 'var(--ok)', points: batches.map((b) => ({ x: b.iter, y: b.mom })) },
    ],
    [plan, batches],
  );
  const metrics = useMemo(() => {
    const names = epochs.length ? Object.keys(epochs[0].metrics) : [];
    const colors = ['var(--ok)', 'var(--accent)', 'var(--bad)', 'var(--plan)', 'var(--raw)'];
    return names.map((m, i) => ({
      name: m,
      color: colors[i % colors.length],
      points: epochs.map((e, j) => ({ x: j + 1, y: e.metrics[m] })),
    }));
  }, [epochs]);
  const xDomain = useMemo<[number, number]>(() => [0, Math.max(1, total)], [total]);
  const epochDomain = useMemo<[number, number]>(
    () => [1, Math.max(2, epochs.length)],
    [epochs.length],
  );
  if (!batches.length) return null;
  return (
    <div className="charts" data-testid="train-charts">
      <LiveChart
        label="loss per batch and validation loss per epoch"
        testId="loss-plot"
        series={loss}
        xDomain={xDomain}
        xFormat={fmtInt}
        format={fmt3}
        width={600}
        height={240}
      />
      <div className="chart-column">
        <LiveChart
          label="learning rate schedule"
          testId="lr-schedule"
          series={sched}
          xDomain={xDomain}
          xFormat={fmtInt}
          format={fmtLr}
          width={300}
          height={115}
        />
        <LiveChart
          label="momentum schedule"
          testId="mom-schedule"
          series={mom}
          xDomain={xDomain}
          xFormat={fmtInt}
          format={fmt2}
          width={300}
          height={115}
        />
      </div>
      {metrics.length > 0 && (
        <LiveChart
          label="metrics per epoch"
          testId="metrics-plot"
          series={metrics}
          xDomain={epochDomain}
          xFormat={fmtInt}
          format={fmt3}
          width={300}
          height={150}
        />
      )}
    </div>
  );
}
