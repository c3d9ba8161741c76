// fastai learn.tta() over the validation set: the learner's metrics without and with
// test-time augmentation (4 augmented passes blended with the plain one), side by side.
import { useStudio } from '../../store/studio';

export function TtaSection() {
  const setup = useStudio((s) => s.trainSetup);
  const training = useStudio((s) => s.trainStatus === 'running');
  const status = useStudio((s) => s.ttaStatus);
  const error = useStudio((s) => s.ttaError);
  const run = useStudio((s) => s.runTta);
  const r = useStudio((s) =>
    s.ttaOf?.setup === s.trainSetup && s.ttaOf?.fit === s.trainResult ? s.ttaResult : undefined,
  );
  return (
    <div className="row">
      <button
        className="secondary"
        data-testid="tta-run"
        disabled={!setup || training || status === 'running'}
        onClick={() => void run()}
        title="fastai learn.tta(): the mean of 4 augmented passes, blended with the plain pass (beta 0.25)"
      >
        {status === 'running' ? 'TTA…' : 'TTA on the validation set'}
      </button>
      {error && <span className="error">{error}</span>}
      {r && (
        <table className="epochs" data-testid="tta-table">
          <thead>
            <tr>
              <th>{r.n} images</th>
              <th>without TTA</th>
              <th>with TTA</th>
            </tr>
          </thead>
          <tbody>
            {Object.keys(r.plain).map((m) => (
              <tr key={m} data-metric={m}>
                <td>{m}</td>
                <td>{r.plain[m].toFixed(4)}</td>
                <td>{r.tta[m].toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
