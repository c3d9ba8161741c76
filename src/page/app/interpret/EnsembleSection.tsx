// The snapshot ensemble (Huang et al. 2017, SGDR snapshots) over the validation set: the
// learner's metrics with its final weights, with the mean of the snapshots' outputs, and with
// each snapshot's, side by side. Shown when the last fit (or an imported session) kept snapshots.
import { useStudio } from '../../store/studio';

export function EnsembleSection() {
  const kept = useStudio((s) => s.snapshotEpochs?.length ?? 0);
  const training = useStudio((s) => s.trainStatus === 'running');
  const status = useStudio((s) => s.ensembleStatus);
  const error = useStudio((s) => s.ensembleError);
  const run = useStudio((s) => s.runEnsemble);
  const r = useStudio((s) =>
    s.ensembleOf?.setup === s.trainSetup && s.ensembleOf?.fit === s.trainResult
      ? s.ensembleResult
      : undefined,
  );
  if (!kept) return null;
  return (
    <div className="row">
      <button
        className="secondary"
        data-testid="ensemble-run"
        disabled={training || status === 'running'}
        onClick={() => void run()}
        title="the mean of the snapshots' softmax (multi-label: sigmoid) outputs, vs the final weights alone"
      >
        {status === 'running' ? 'Ensemble…' : `Snapshot ensemble (${kept}) on the validation set`}
      </button>
      {error && <span className="error">{error}</span>}
      {r && (
        <table className="epochs" data-testid="ensemble-table">
          <thead>
            <tr>
              <th>{r.n} images</th>
              <th>final weights</th>
              <th>ensemble of {r.members.length}</th>
              {r.members.map((m) => (
                <th key={m.epoch} className="muted" title={`after training iteration ${m.iter}`}>
                  epoch {m.epoch}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Object.keys(r.single).map((k) => (
              <tr key={k} data-metric={k}>
                <td>{k}</td>
                <td>{r.single[k].toFixed(4)}</td>
                <td>
                  <b>{r.ensemble[k].toFixed(4)}</b>
                </td>
                {r.members.map((m) => (
                  <td key={m.epoch} className="muted">
                    {m.metrics[k].toFixed(4)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
