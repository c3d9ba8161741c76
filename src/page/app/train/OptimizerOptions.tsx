// The fit's optimizer (fastai opt_func: Adam, or SGD with momentum), its weight decay, and
// fit_one_cycle's momentum schedule `moms`; the store's fitOptions, as the CLI's flags.
import { useState } from 'react';
import { parseMoms } from '../../../shared/schedule';
import { useStudio } from '../../store/studio';
import type { FitOptions } from '../../store/trainSlice';

export function OptimizerOptions({ disabled }: { disabled: boolean }) {
  const o = useStudio((s) => s.fitOptions);
  const setO = useStudio((s) => s.setFitOptions);
  const [draft, setDraft] = useState<string>();
  const moms = draft ?? o.moms.join(',');
  return (
    <>
      <label title="a new optimizer starts its state afresh">
        optimizer{' '}
        <select
          value={o.opt}
          onChange={(e) => setO({ opt: e.target.value as FitOptions['opt'] })}
          disabled={disabled}
          data-testid="fit-opt"
        >
          <option value="adam">Adam</option>
          <option value="sgd">SGD (momentum)</option>
        </select>
      </label>
      <label title={o.opt === 'sgd' ? 'SGD momentum (0: plain SGD)' : "Adam's beta1"}>
        mom{' '}
        <input
          type="number"
          min={0}
          max={0.999}
          step={0.05}
          value={o.mom}
          onChange={(e) => setO({ mom: Number(e.target.value) })}
          disabled={disabled}
          data-testid="fit-mom"
        />
      </label>
      <label>
        weight decay{' '}
        <input
          type="number"
          min={0}
          step={0.01}
          value={o.wd}
          onChange={(e) => setO({ wd: Number(e.target.value) })}
          disabled={disabled}
          data-testid="fit-wd"
        />
      </label>
      {(o.policy === 'one_cycle' || o.policy === 'fine_tune') && (
        <label title="fit_one_cycle's momentum: start, middle, end (it overrides mom)">
          moms{' '}
          <input
            value={moms}
            size={12}
            onChange={(e) => {
              setDraft(e.target.value);
              const v = parseMoms(e.target.value);
              if (v) setO({ moms: v });
            }}
            onBlur={() => setDraft(undefined)}
            disabled={disabled}
            aria-invalid={parseMoms(moms) === undefined}
            data-testid="fit-moms"
          />
        </label>
      )}
    </>
  );
}
