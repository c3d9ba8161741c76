// The next fit's arguments (policy, epochs, LR or slice, weight decay, mixup, precompute): the
// store's fitOptions, which the CLI's `fit` sets too.
import { useStudio } from '../../store/studio';
import type { FitPolicy } from '../../../shared/protocol';
import { POLICY_LABEL } from './fitPolicy';
import { LrInput } from './LrInput';

export function FitOptions() {
  const o = useStudio((s) => s.fitOptions);
  const setO = useStudio((s) => s.setFitOptions);
  const running = useStudio((s) => s.trainStatus === 'running');
  return (
    <div className="row">
      <label>
        method{' '}
        <select
          value={o.policy}
          onChange={(e) => setO({ policy: e.target.value as FitPolicy })}
          disabled={running}
          data-testid="fit-policy"
        >
          {(Object.keys(POLICY_LABEL) as FitPolicy[]).map((p) => (
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
          value={o.epochs}
          onChange={(e) => setO({ epochs: Number(e.target.value) })}
          disabled={running}
          data-testid="fit-epochs"
        />
      </label>
      <label>
        lr <LrInput disabled={running} />
      </label>
      <label>
        weight decay{' '}
        <input
          type="number"
          min={0}
          step={0.01}
          value={o.wd}
          onChange={(e) => setO({ wd: Number(e.target.value) })}
          disabled={running}
          data-testid="fit-wd"
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={!!o.mixup}
          onChange={(e) => setO({ mixup: e.target.checked })}
          disabled={running}
        />{' '}
        mixup
      </label>
      <label title="train the head on the frozen body's activations, computed once (fine_tune's frozen phase, or any fit while frozen)">
        <input
          type="checkbox"
          checked={!!o.precompute}
          onChange={(e) => setO({ precompute: e.target.checked })}
          disabled={running}
          data-testid="fit-precompute"
        />{' '}
        precompute
      </label>
    </div>
  );
}
