// The Train panel: LR finder (plot, suggestions, click to pick), fit controls, live progress with
// ETA and images/s, live loss and schedule charts, and the fastai epoch table.
import { useMemo, useState } from 'react';
import { useStudio } from '../../store/studio';
import { LiveLineChart } from '../charts/LiveLineChart';
import { fmtLoss, fmtLr, fmtTime } from './format';
import { plannedSchedule } from './plan';

type Policy = 'fine_tune' | 'one_cycle' | 'sgdr' | 'fit';
// Random init for now: the pretrained path goes through the models' bundled weights later.
const ARCHS: [string, string][] = [
  ['tiny-bn-cnn', 'tiny CNN with BN (fast)'],
  ['tiny-cnn', 'tiny CNN'],
  ['resnet18', 'ResNet-18 (random init; slow without a GPU)'],
  ['resnet34', 'ResNet-34 (random init; slow without a GPU)'],
  ['resnet50', 'ResNet-50 (random init; slow without a GPU)'],
];
const POLICY_LABEL: Record<Policy, string> = {
  fine_tune: 'fine_tune',
  one_cycle: 'fit_one_cycle',
  sgdr: 'fit_sgdr',
  fit: 'fit (constant LR)',
};

function LrFinder({ lr, setLr }: { lr: number; setLr: (v: number) => void }) {
  const result = useStudio((s) => s.lrFindResult);
  const status = useStudio((s) => s.trainStatus);
  const lrFind = useStudio((s) => s.lrFind);
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
  const markers = [
    ...Object.entries(result?.suggestions ?? {}).map(([name, s]) => ({
      x: s.lr,
      label: name,
      color: 'var(--ok)',
    })),
    { x: lr, label: 'picked', color: 'var(--bad)' },
  ];
  return (
    <div className="subcard" data-testid="lr-finder">
      <div className="row">
        <button onClick={() => void lrFind()} disabled={status === 'running'} data-testid="lr-find">
          Run LR finder
        </button>
        {result && (
          <span data-testid="lr-suggestion">
            suggested (valley): {fmtLr(result.suggestion)} · click the curve to pick an LR
          </span>
        )}
      </div>
      {result && (
        <LiveLineChart
          label="LR finder: loss against learning rate"
          testId="lr-plot"
          series={series}
          logX
          markers={markers}
          onPick={setLr}
          format={(v) => v.toFixed(3)}
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
  const nIterEpoch = Math.max(1, batches.filter((b) => b.epoch === batches[0].epoch).length);
  return (
    <div className="progress-grid" data-testid="train-progress">
      <label>overall</label>
      <progress max={last.of} value={last.iter} />
      <span>
        {last.iter}/{last.of} · ETA <b data-testid="eta">{perIter ? fmtTime(eta) : '…'}</b>
        {perIter > 0 && <> · {(last.bs / perIter).toFixed(1)} images/s</>}
        {!running && ' · finished'}
      </span>
      <label>epoch {last.epoch + 1}</label>
      <progress max={nIterEpoch} value={((last.iter - 1) % nIterEpoch) + 1} />
      <span />
    </div>
  );
}

function Charts({ policy, lr }: { policy: Policy; lr: number }) {
  const batches = useStudio((s) => s.trainBatches);
  const epochs = useStudio((s) => s.trainEpochs);
  const total = batches.at(-1)?.of ?? 0;
  const plan = useMemo(() => plannedSchedule(policy, total, lr), [policy, total, lr]);
  // Validation loss sits at the last iteration of its epoch.
  const endIter = (epoch: number) =>
    Math.max(0, ...batches.filter((b) => b.epoch === epoch).map((b) => b.iter));
  const loss = [
    {
      name: 'train loss',
      color: 'rgba(127,127,127,0.6)',
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
      points: epochs.map((e) => ({ x: endIter(e.epoch), y: e.validLoss })),
    },
  ];
  const sched = [
    {
      name: 'lr plan',
      color: 'var(--accent)',
      dashed: true,
      points: plan.map((p) => ({ x: p.iter, y: p.lr })),
    },
    { name: 'lr', color: 'var(--accent)', points: batches.map((b) => ({ x: b.iter, y: b.lr })) },
  ];
  const mom = [
    {
      name: 'mom plan',
      color: 'var(--ok)',
      dashed: true,
      points: plan.filter((p) => p.mom !== undefined).map((p) => ({ x: p.iter, y: p.mom! })),
    },
    { name: 'mom', color: 'var(--ok)', points: batches.map((b) => ({ x: b.iter, y: b.mom })) },
  ];
  const xDomain: [number, number] = [0, Math.max(1, total)];
  return (
    <div className="charts" data-testid="train-charts">
      <LiveLineChart
        label="loss per batch and validation loss per epoch"
        testId="loss-plot"
        series={loss}
        xDomain={xDomain}
        format={(v) => v.toFixed(3)}
        width={560}
      />
      <LiveLineChart
        label="learning rate schedule"
        testId="lr-schedule"
        series={sched}
        xDomain={xDomain}
        format={fmtLr}
        width={280}
        height={150}
      />
      <LiveLineChart
        label="momentum schedule"
        testId="mom-schedule"
        series={mom}
        xDomain={xDomain}
        format={(v) => v.toFixed(2)}
        width={280}
        height={150}
      />
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

export function TrainPanel() {
  const status = useStudio((s) => s.trainStatus);
  const error = useStudio((s) => s.trainError);
  const setup = useStudio((s) => s.trainSetup);
  const result = useStudio((s) => s.trainResult);
  const learnSetup = useStudio((s) => s.learnSetup);
  const fit = useStudio((s) => s.fit);
  const stop = useStudio((s) => s.stop);
  const pauseTraining = useStudio((s) => s.pauseTraining);
  const [policy, setPolicy] = useState<Policy>('one_cycle');
  const [epochs, setEpochs] = useState(2);
  const [lr, setLr] = useState(1e-2);
  const [bs, setBs] = useState(16);
  const [size, setSize] = useState(32);
  const [mixup, setMixup] = useState(false);
  const [labelSmoothing, setLabelSmoothing] = useState(false);
  const [paused, setPaused] = useState(false);
  const [arch, setArch] = useState('tiny-bn-cnn');
  const [aug, setAug] = useState<'side-on' | 'top-down' | 'none'>('side-on');
  const imported = useStudio((s) => s.dataSummary);
  const [useImported, setUseImported] = useState(true);
  const data = imported && !imported.errors.length && useImported ? 'imported' : 'demo';
  const running = status === 'running';
  const setupArgs = { arch, data, aug, bs, size, labelSmoothing } as const;
  const start = async () => {
    if (!setup) await learnSetup(setupArgs);
    await fit({ policy, epochs, lr, mixup });
  };
  return (
    <section className="card" aria-labelledby="train-title" data-testid="train-panel">
      <h2 id="train-title">Train</h2>
      <p className="muted">
        Learner:{' '}
        {setup
          ? `${setup.arch} · ${setup.groups} groups · ${setup.nParams.toLocaleString()} parameters · classes ${setup.vocab.join(', ')}`
          : 'not created yet'}
      </p>
      <div className="row">
        <label>
          data{' '}
          <select
            value={data}
            onChange={(e) => setUseImported(e.target.value === 'imported')}
            disabled={running || !imported}
            data-testid="train-data"
          >
            <option value="demo">built-in demo patterns</option>
            {imported && (
              <option value="imported">imported folder ({imported.classes.length} classes)</option>
            )}
          </select>
        </label>
        <label>
          architecture{' '}
          <select
            value={arch}
            onChange={(e) => setArch(e.target.value)}
            disabled={running}
            data-testid="train-arch"
          >
            {ARCHS.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          augmentation{' '}
          <select
            value={aug}
            onChange={(e) => setAug(e.target.value as typeof aug)}
            disabled={running}
          >
            <option value="side-on">side-on photos (flip)</option>
            <option value="top-down">top-down (8 dihedral)</option>
            <option value="none">none</option>
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          batch size{' '}
          <input
            type="number"
            min={1}
            value={bs}
            onChange={(e) => setBs(Number(e.target.value))}
            disabled={running}
          />
        </label>
        <label>
          image size{' '}
          <input
            type="number"
            min={8}
            value={size}
            onChange={(e) => setSize(Number(e.target.value))}
            disabled={running}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={labelSmoothing}
            onChange={(e) => setLabelSmoothing(e.target.checked)}
            disabled={running}
          />{' '}
          label smoothing
        </label>
        <button
          onClick={() => void learnSetup(setupArgs)}
          disabled={running}
          data-testid="learn-setup"
        >
          {setup ? 'Recreate learner' : 'Create learner'}
        </button>
      </div>
      <LrFinder lr={lr} setLr={setLr} />
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
            value={fmtLr(lr)}
            onChange={(e) => Number(e.target.value) > 0 && setLr(Number(e.target.value))}
            disabled={running}
            data-testid="fit-lr"
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
      <Charts policy={policy} lr={lr} />
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
