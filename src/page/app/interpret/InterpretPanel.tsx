// The Interpret panel: fastai's ClassificationInterpretation on the Learner session's model
// (confusion matrix whose cells show their images, top losses with Grad-CAM overlays,
// most_confused, per-class report; a threshold slider for multi-label), the data cleaner, TTA's
// metrics, then Predict.
import { useStudio } from '../../store/studio';
import { CellImages } from './CellImages';
import { Cleaner } from './Cleaner';
import { ConfusionMatrix } from './ConfusionMatrix';
import './interpret.css';
import { MultiLabelReport } from './MultiLabelReport';
import { PredictSection } from './PredictSection';
import { ReportTable } from './ReportTable';
import { TopLosses } from './TopLosses';
import { TtaSection } from './TtaSection';
import { EnsembleSection } from './EnsembleSection';

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
        <TtaSection />
        <EnsembleSection />
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
      {setup && <Cleaner />}
      <PredictSection />
    </>
  );
}
