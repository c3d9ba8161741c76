// The Train panel: LR finder (plot, suggestions, click to pick), fit controls, live progress with
// ETA and images/s, live loss and schedule charts, and the fastai epoch table. The model comes
// from the Model panel (store: modelChoice); the learner's settings live in the store too.
import { useCallback, useMemo, useState } from 'react';
import { useStudio, type StudioState } from '../../store/studio';
import { RgbCanvas } from '../data/RgbCanvas';
import { LiveChart, StaticChart } from '../charts/LiveChart';
import { useThrottledStudio } from '../charts/useThrottledStudio';
import { modelStatusLine } from '../model/ModelPanel';
import { fmtLoss, fmtLr, fmtTime } from './format';
import { formatLr, parseLr, slice, type LrSlice } from '../../../shared/schedule';
import { plannedSchedule } from './plan';
import { EngineLine } from './EngineLine';

type Policy = 'fine_tune' | 'one_cycle' | 'sgdr' | 'fit';
const POLICY_LABEL: Record<Policy, string> = {
  fine_tune: 'fine_tune',
  one_cycle: 'fit_one_cycle',
  sgdr: 'fit_sgdr',
  fit: 'fit (constant LR)',
};
// Stable formatter props: the charts are memoised and skip renders when their props are equal.
const fmt3 = (v: number) => v.toFixed(3);
const fmt2 = (v: number) => v.toFixed(2);
const fmtInt = (v: number) => String(Math.round(v));
/** How often the live charts re-render while training. */
const CHART_MS = 1000;
/** The head's LR: the number itself, or a slice's high end (what the schedule chart draws). */
const headLr = (lr: number | LrSlice) => (typeof lr === 'number' ? lr : lr.hi);

function LrFinder({
  lr,
  pick,
}: {
  lr: number | LrSlice;
  pick: (v: number, shift: boolean) => void;
}) {
  const result = useStudio((s) => s.lrFindResult);
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
  const markers = useMemo(
    () => [
      ...Object.entries(result?.suggestions ?? {}).map(([name, s]) => ({
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
    [result, lr],
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
        {result && (
          <span data-testid="lr-suggestion">
            suggested (valley): {fmtLr(result.suggestion)} · click the curve to pick an LR,
            shift-click for the low end of a slice
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

function Progress() {
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

const selectBatches = (s: StudioState) => s.trainBatches;
const selectEpochs = (s: StudioState) => s.trainEpochs;

function Charts({ policy, lr }: { policy: Policy; lr: number }) {
  // Throttled to ~1 render per second: the store itself updates every 250 ms.
  const batches = useThrottledStudio(selectBatches, CHART_MS);
  const epochs = useThrottledStudio(selectEpochs, CHART_MS);
  const total = batches.at(-1)?.of ?? 0;
  const plan = useMemo(() => plannedSchedule(policy, total, lr), [policy, total, lr]);
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

function EpochTable() {
  const epochs = useStudio((s) => s.trainEpochs);
  if (!epochs.length) return null;
  const metricNames = Object.keys(epochs[0].metrics);
  return (
    <table className="epochs" data-testid="epoch-table">
      <thead>
        <tr>
          <th>epoch</th>
          <th>train_loss</th>
          <th>valid_loss</th>
          {metricNames.map((m) => (
            <th key={m}>{m}</th>
          ))}
          <th>time</th>
        </tr>
      </thead>
      <tbody>
        {epochs.map((e, i) => (
          <tr key={i}>
            <td>{e.epoch}</td>
            <td>{fmtLoss(e.trainLoss)}</td>
            <td>{fmtLoss(e.validLoss)}</td>
            {metricNames.map((m) => (
              <td key={m}>{fmtLoss(e.metrics[m])}</td>
            ))}
            <td>{fmtTime(e.seconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The augmentation preset on a few imported training images, as the learner will see them. */
function AugPreview() {
  const batch = useStudio((s) => s.dataBatch);
  const error = useStudio((s) => s.dataBatchError);
  if (error) return <p className="error">{error}</p>;
  if (!batch.length) return null;
  return (
    <div className="batch-grid small" data-testid="aug-preview">
      {batch.slice(0, 8).map((s, i) => (
        <figure key={i}>
          <RgbCanvas sample={s} size={64} />
          <figcaption>{s.labels.join('; ') || '(none)'}</figcaption>
        </figure>
      ))}
    </div>
  );
}

function LearnerOptions() {
  const o = useStudio((s) => s.trainOptions);
  const setO = useStudio((s) => s.setTrainOptions);
  const imported = useStudio((s) => s.dataSummary);
  const dataReady = useStudio(
    (s) => s.dataStatus === 'ready' && (s.dataSummary?.images.train ?? 0) > 0,
  );
  const setBatchOptions = useStudio((s) => s.setBatchOptions);
  const loadShowBatch = useStudio((s) => s.loadShowBatch);
  const running = useStudio((s) => s.trainStatus === 'running');
  const setup = useStudio((s) => s.trainSetup);
  const setupLearner = useStudio((s) => s.setupLearner);
  const modelLine = useStudio(modelStatusLine);
  const usable = !!imported && !imported.errors.length;
  const data = usable && o.data === 'imported' ? 'imported' : 'demo';
  const preview = (aug: typeof o.aug, size = o.size) => {
    if (!dataReady) return;
    setBatchOptions({ aug, size: Math.max(16, size), method: 'squish' });
    void loadShowBatch(8);
  };
  return (
    <div className="subcard">
      <p className="muted" data-testid="train-learner">
        Model: <b>{modelLine}</b> (choose it in the Model panel) · Learner:{' '}
        {setup
          ? `${setup.arch} · ${setup.groups} groups · ${setup.nParams.toLocaleString()} parameters · classes ${setup.vocab.join(', ')}`
          : 'not created yet'}
      </p>
      <div className="row">
        <label>
          data{' '}
          <select
            value={data}
            onChange={(e) => setO({ data: e.target.value as 'demo' | 'imported' })}
            disabled={running || !usable}
            data-testid="train-data"
          >
            <option value="demo">built-in demo patterns</option>
            {usable && (
              <option value="imported">imported folder ({imported.classes.length} classes)</option>
            )}
          </select>
        </label>
        <label>
          batch size{' '}
          <input
            type="number"
            min={1}
            value={o.bs}
            onChange={(e) => setO({ bs: Number(e.target.value) })}
            disabled={running}
          />
        </label>
        <label>
          image size{' '}
          <input
            type="number"
            min={8}
            value={o.size}
            onChange={(e) => setO({ size: Number(e.target.value) })}
            disabled={running}
          />
        </label>
        <label>
          augmentation{' '}
          <select
            value={o.aug}
            onChange={(e) => {
              const aug = e.target.value as typeof o.aug;
              setO({ aug });
              preview(aug);
            }}
            disabled={running}
            data-testid="train-aug"
          >
            <option value="side-on">side-on photos (flip)</option>
            <option value="top-down">top-down (8 dihedral)</option>
            <option value="none">none</option>
          </select>
        </label>
        <button
          className="secondary"
          onClick={() => preview(o.aug)}
          disabled={!dataReady || data !== 'imported'}
          data-testid="aug-preview-button"
          title={dataReady ? 'show augmented training images' : 'import a folder first'}
        >
          Preview augmentation
        </button>
        <label>
          <input
            type="checkbox"
            checked={o.labelSmoothing}
            onChange={(e) => setO({ labelSmoothing: e.target.checked })}
            disabled={running}
          />{' '}
          label smoothing
        </label>
        <button onClick={() => void setupLearner()} disabled={running} data-testid="learn-setup">
          {setup ? 'Recreate learner' : 'Create learner'}
        </button>
      </div>
      {data === 'imported' && <AugPreview />}
    </div>
  );
}

export function TrainPanel() {
  const status = useStudio((s) => s.trainStatus);
  const error = useStudio((s) => s.trainError);
  const setup = useStudio((s) => s.trainSetup);
  const result = useStudio((s) => s.trainResult);
  const freeze = useStudio((s) => s.freezeState);
  const setupLearner = useStudio((s) => s.setupLearner);
  const setFrozen = useStudio((s) => s.setFrozen);
  const refreshFreeze = useStudio((s) => s.refreshFreeze);
  const fit = useStudio((s) => s.fit);
  const stop = useStudio((s) => s.stop);
  const pauseTraining = useStudio((s) => s.pauseTraining);
  const [policy, setPolicy] = useState<Policy>('one_cycle');
  const [epochs, setEpochs] = useState(2);
  const [lr, setLr] = useState<number | LrSlice>(1e-2);
  const [lrText, setLrText] = useState(fmtLr(1e-2));
  const [wd, setWd] = useState(0.01);
  const [mixup, setMixup] = useState(false);
  const [precompute, setPrecompute] = useState(false);
  const [paused, setPaused] = useState(false);
  const running = status === 'running';
  // Click: one LR. Shift-click: slice(lo, hi) with the picked LR as lo and the current LR (or
  // slice's hi) as hi, fastai's discriminative LRs for an unfrozen body.
  const pick = useCallback(
    (v: number, shift: boolean) => {
      const next = shift && v < headLr(lr) ? slice(v, headLr(lr)) : v;
      setLr(next);
      setLrText(formatLr(next, fmtLr));
    },
    [lr],
  );
  const start = async () => {
    if (!setup) await setupLearner();
    setPaused(false);
    await fit({ policy, epochs, lr, mixup, wd, precompute });
    await refreshFreeze();
  };
  const frozen = (freeze?.frozenGroups ?? 0) > 0;
  return (
    <section className="card" aria-labelledby="train-title" data-testid="train-panel">
      <h2 id="train-title">Train</h2>
      <LearnerOptions />
      <LrFinder lr={lr} pick={pick} />
      <div className="row">
        <label>
          method{' '}
          <select
            value={policy}
            onChange={(e) => setPolicy(e.target.value as Policy)}
            disabled={running}
            data-testid="fit-policy"
          >
            {(Object.keys(POLICY_LABEL) as Policy[]).map((p) => (
              <option key={p} value={p}>
                {POLICY_LABEL[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          epochs{' '}
          <input
            type="number"
            min={1}
            value={epochs}
            onChange={(e) => setEpochs(Number(e.target.value))}
            disabled={running}
            data-testid="fit-epochs"
          />
        </label>
        <label>
          lr{' '}
          <input
            value={lrText}
            size={9}
            onChange={(e) => {
              setLrText(e.target.value);
              const v = parseLr(e.target.value);
              if (v !== undefined) setLr(v);
            }}
            onBlur={() => setLrText(formatLr(lr, fmtLr))}
            disabled={running}
            data-testid="fit-lr"
            aria-invalid={parseLr(lrText) === undefined}
            title="a number, or slice(lo, hi): discriminative LRs across the parameter groups (fastai)"
          />
        </label>
        <label>
          weight decay{' '}
          <input
            type="number"
            min={0}
            step={0.01}
            value={wd}
            onChange={(e) => setWd(Number(e.target.value))}
            disabled={running}
            data-testid="fit-wd"
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={mixup}
            onChange={(e) => setMixup(e.target.checked)}
            disabled={running}
          />{' '}
          mixup
        </label>
        <label title="train the head on the frozen body's activations, computed once (fine_tune's frozen phase, or any fit while frozen)">
          <input
            type="checkbox"
            checked={precompute}
            onChange={(e) => setPrecompute(e.target.checked)}
            disabled={running}
            data-testid="fit-precompute"
          />{' '}
          precompute
        </label>
      </div>
      <div className="row">
        <span className="muted" data-testid="train-frozen">
          {setup && freeze
            ? frozen
              ? `body frozen (${freeze.frozenGroups} of ${freeze.groups} groups)`
              : `all ${freeze.groups} groups train`
            : ''}
        </span>
        <button
          className="secondary"
          onClick={() => void setFrozen(true)}
          disabled={running || !setup || frozen}
          data-testid="train-freeze"
        >
          Freeze
        </button>
        <button
          className="secondary"
          onClick={() => void setFrozen(false)}
          disabled={running || !setup || !frozen}
          data-testid="train-unfreeze"
        >
          Unfreeze
        </button>
        <button onClick={() => void start()} disabled={running} data-testid="fit">
          Fit
        </button>
        <button onClick={() => void stop()} disabled={!running} data-testid="fit-stop">
          Stop
        </button>
        <button
          onClick={() => {
            void pauseTraining(!paused);
            setPaused(!paused);
          }}
          disabled={!running}
          data-testid="fit-pause"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <Progress />
      <EngineLine />
      <Charts policy={policy} lr={headLr(lr)} />
      <EpochTable />
      {result?.diverged && (
        <p className="error" role="alert">
          Training diverged at iteration {result.diverged.iter} (lr {fmtLr(result.diverged.lr)},
          loss {result.diverged.loss}): the last good weights were restored. Try a lower learning
          rate.
        </p>
      )}
      {result?.stopped && !result.diverged && (
        <p data-testid="stopped">Stopped: the weights so far are kept.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
