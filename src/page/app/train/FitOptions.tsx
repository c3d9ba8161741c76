// The next fit's arguments (policy, epochs or fit_sgdr's cycles, LR or slice, optimizer, mixup,
// keep-best, precompute, continue at another image size): the store's fitOptions, which the
// CLI's `fit` sets too.
import { useStudio } from '../../store/studio';
import type { FitPolicy } from '../../../shared/protocol';
import { POLICY_LABEL } from './fitPolicy';
import { LrInput } from './LrInput';
import { OptimizerOptions } from './OptimizerOptions';

export function FitOptions() {
  const o = useStudio((s) => s.fitOptions);
  const setO = useStudio((s) => s.setFitOptions);
  const running = useStudio((s) => s.trainStatus === 'running');
  const size = useStudio((s) => s.trainResult?.size ?? s.trainOptions.size);
  const sgdr = o.policy === 'sgdr';
  const int = (v: string) => (v === '' ? undefined : Math.max(1, Math.round(Number(v))));
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
      <label title={sgdr ? 'fit_sgdr n_cycles' : undefined}>
        {sgdr ? 'n_cycles' : 'epochs'}{' '}
        <input
          type="number"
          min={1}
          value={o.epochs}
          onChange={(e) => setO({ epochs: Number(e.target.value) })}
          disabled={running}
          data-testid="fit-epochs"
        />
      </label>
      {sgdr && (
        <>
          <label>
            cycle_len{' '}
            <input
              type="number"
              min={1}
              value={o.cycleLen}
              onChange={(e) => setO({ cycleLen: int(e.target.value) })}
              disabled={running}
              data-testid="fit-cycle-len"
            />
          </label>
          <label>
            cycle_mult{' '}
            <input
              type="number"
              min={1}
              value={o.cycleMult}
              onChange={(e) => setO({ cycleMult: int(e.target.value) })}
              disabled={running}
              data-testid="fit-cycle-mult"
            />
          </label>
          <label title="snapshot ensemble (Huang et al. 2017): the weights at each cycle's end are kept (on the CPU); Interpret compares their averaged predictions with the final weights'">
            <input
              type="checkbox"
              checked={o.snapshots === true}
              onChange={(e) => setO({ snapshots: e.target.checked })}
              disabled={running}
              data-testid="fit-snapshots"
            />{' '}
            keep snapshots (ensemble)
          </label>
        </>
      )}
      <label>
        lr <LrInput disabled={running} />
      </label>
      <OptimizerOptions disabled={running} />
      <label>
        <input
          type="checkbox"
          checked={!!o.mixup}
          onChange={(e) => setO({ mixup: e.target.checked })}
          disabled={running}
        />{' '}
        mixup
      </label>
      <label title="fastai SaveModelCallback(monitor='valid_loss'): after the fit the model holds the epoch with the lowest valid_loss">
        <input
          type="checkbox"
          checked={!!o.saveBest}
          onChange={(e) => setO({ saveBest: e.target.checked })}
          disabled={running}
          data-testid="fit-save-best"
        />{' '}
        keep best model
      </label>
      <label title="progressive resizing: the next fit trains the same weights and optimizer on images of this size (Recreate learner would start afresh)">
        continue at size{' '}
        <input
          type="number"
          min={8}
          value={o.size || ''}
          placeholder={String(size)}
          onChange={(e) => setO({ size: int(e.target.value) ?? 0 })}
          disabled={running}
          data-testid="fit-size"
        />
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
