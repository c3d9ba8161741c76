// The Interpret panel: fastai's ClassificationInterpretation on the Learner session's model
// (confusion matrix whose cells show their images, top losses with Grad-CAM overlays,
// most_confused, per-class report; a threshold slider for multi-label), then Predict.
import type { InterpretResult, TopLossItem } from '../../../shared/protocol';
import { useEffect, useMemo, useState } from 'react';
import { multiLabelReport, type Report } from '../../../shared/interpretation';
import { gradcamKey } from '../../store/interpretSlice';
import { useStudio } from '../../store/studio';
import './interpret.css';
import { PredictSection } from './PredictSection';
import { HeatCanvas, Thumb } from './Thumb';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const f3 = (v: number) => v.toFixed(3);

function ConfusionMatrix({ r }: { r: InterpretResult }) {
  const cell = useStudio((s) => s.interpretCell);
  const select = useStudio((s) => s.selectCell);
  const max = Math.max(1, ...r.matrix.flat());
  return (
    <div className="cm-wrap">
      <table className="cm" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th className="cm-corner">actual \ predicted</th>
            {r.vocab.map((v) => (
              <th key={v} className="cm-pred" title={v}>
                {v}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {r.matrix.map((row, a) => (
            <tr key={a}>
              <th className="cm-actual">{r.vocab[a]}</th>
              {row.map((count, p) => {
                const on = cell?.[0] === a && cell?.[1] === p;
                const t = count / max;
                return (
                  <td
                    key={p}
                    data-testid="cm-cell"
                    data-actual={a}
                    data-predicted={p}
                    data-count={count}
                    className={`${a === p ? 'diag' : 'off'}${on ? ' selected' : ''}`}
                    style={{
                      background: `rgba(${a === p ? '47,111,223' : '192,57,43'},${0.08 + 0.8 * t})`,
                      color: t > 0.5 ? '#fff' : undefined,
                    }}
                    onClick={() => select(on ? undefined : [a, p])}
                    title={`actual ${r.vocab[a]}, predicted ${r.vocab[p]}: ${count}`}
                  >
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CELL_SHOW = 120;

function CellImages({ r }: { r: InterpretResult }) {
  const cell = useStudio((s) => s.interpretCell);
  if (!cell) return <p className="muted">Click a cell to see its images.</p>;
  const [a, p] = cell;
  const items = r.cells[a][p];
  return (
    <div data-testid="cell-images" data-actual={a} data-predicted={p}>
      <p>
        <b>{items.length}</b> image{items.length === 1 ? '' : 's'} of <b>{r.vocab[a]}</b> predicted
        as <b>{r.vocab[p]}</b>
        {items.length > CELL_SHOW && ` (first ${CELL_SHOW} shown)`}
      </p>
      <div className="interp-grid">
        {items.slice(0, CELL_SHOW).map((i) => (
          <figure key={i} data-testid="cell-image" data-index={i} data-path={r.paths[i]}>
            <Thumb path={r.paths[i]} size={72} imported={r.imported} />
            <figcaption title={`${r.paths[i]} · loss ${f3(r.losses[i])}`}>
              p={r.probs[i * r.vocab.length + p].toFixed(2)}
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

function TopLossFigure({ t, cam }: { t: TopLossItem; cam: boolean }) {
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

function TopLosses({ r }: { r: InterpretResult }) {
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

function ReportTable({ report }: { report: Report }) {
  const rows = [
    ...report.classes.map((c) => ({ ...c, key: c.label })),
    { key: 'macro avg', label: 'macro avg', ...report.macro },
    { key: 'weighted avg', label: 'weighted avg', ...report.weighted },
  ];
  return (
    <table className="report" data-testid="class-report">
      <thead>
        <tr>
          <th></th>
          <th>precision</th>
          <th>recall</th>
          <th>f1-score</th>
          <th>support</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.key} data-class={c.label}>
            <th>{c.label}</th>
            <td>{f3(c.precision)}</td>
            <td>{f3(c.recall)}</td>
            <td>{f3(c.f1)}</td>
            <td>{c.support}</td>
          </tr>
        ))}
        <tr>
          <th>accuracy</th>
          <td colSpan={4} data-testid="report-accuracy">
            {pct(report.accuracy)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function MultiLabelReport({ r }: { r: InterpretResult }) {
  const thresh = useStudio((s) => s.interpretThresh);
  const setThresh = useStudio((s) => s.setInterpretThresh);
  // Cheap on the main thread: n x c comparisons, no tensors.
  const report = useMemo(() => multiLabelReport(r.probs, r.targets, r.vocab, thresh), [r, thresh]);
  return (
    <>
      <label className="row">
        threshold{' '}
        <input
          type="range"
          min={0.05}
          max={0.95}
          step={0.05}
          value={thresh}
          data-testid="thresh-slider"
          onChange={(e) => setThresh(Number(e.target.value))}
        />
        <span data-testid="thresh-value">{thresh.toFixed(2)}</span>
      </label>
      <ReportTable report={report} />
    </>
  );
}

export function InterpretPanel() {
  const r = useStudio((s) => s.interpretResult);
  const status = useStudio((s) => s.interpretStatus);
  const error = useStudio((s) => s.interpretError);
  const run = useStudio((s) => s.runInterpret);
  const setup = useStudio((s) => s.trainSetup);
  const training = useStudio((s) => s.trainStatus === 'running');
  const stale = useStudio(
    (s) =>
      !!s.interpretOf &&
      (s.interpretOf.setup !== s.trainSetup || s.interpretOf.fit !== s.trainResult),
  );
  return (
    <>
      <section className="card" data-testid="interpret-panel">
        <h2>Interpret</h2>
        <div className="row">
          <button
            data-testid="interpret-run"
            disabled={!setup || training || status === 'running'}
            onClick={() => void run()}
          >
            {r ? 'Interpret again' : 'Interpret the validation set'}
          </button>
          <span className="muted">
            {!setup
              ? 'Train a model first (Train tab).'
              : training
                ? 'training…'
                : status === 'running'
                  ? 'running the model over the validation set…'
                  : r
                    ? `${r.n} validation images · ${setup.arch}`
                    : `${setup.arch}: what does it get wrong?`}
          </span>
        </div>
        {stale && r && (
          <p className="muted" data-testid="interpret-stale">
            The model changed since this interpretation: interpret again.
          </p>
        )}
        {error && <p className="error">{error}</p>}
      </section>
      {r && !r.multiLabel && (
        <section className="card">
          <h3>Confusion matrix</h3>
          <div className="cm-layout">
            <ConfusionMatrix r={r} />
            <div className="cm-cell-view">
              <CellImages r={r} />
            </div>
          </div>
        </section>
      )}
      {r && (
        <section className="card">
          <h3>Top losses</h3>
          <TopLosses r={r} />
        </section>
      )}
      {r && (
        <section className="card interp-two">
          {!r.multiLabel && (
            <div>
              <h3>Most confused</h3>
              {r.mostConfused.length === 0 ? (
                <p className="muted">No confusions: every validation image is right.</p>
              ) : (
                <ol data-testid="most-confused">
                  {r.mostConfused.slice(0, 15).map((c) => (
                    <li key={`${c.actual}|${c.predicted}`}>
                      <b>{c.actual}</b> predicted as <b>{c.predicted}</b>: {c.count}
                    </li>
                  ))}
                </ol>
              )}
            </div>
          )}
          <div>
            <h3>Classification report</h3>
            {r.multiLabel ? <MultiLabelReport r={r} /> : <ReportTable report={r.report} />}
          </div>
        </section>
      )}
      <PredictSection />
    </>
  );
}
