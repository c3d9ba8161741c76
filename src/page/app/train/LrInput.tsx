// The fit's LR field: a number, or fastai's slice(lo, hi) for discriminative LRs.
import { useState } from 'react';
import { formatLr, parseLr } from '../../../shared/schedule';
import { useStudio } from '../../store/studio';
import { fmtLr } from './format';

/** The LR field: a draft while typing (it may not parse yet), the store's LR otherwise. */
export function LrInput({ disabled }: { disabled: boolean }) {
  const lr = useStudio((s) => s.fitOptions.lr);
  const setFitOptions = useStudio((s) => s.setFitOptions);
  const [draft, setDraft] = useState<string>();
  const text = draft ?? formatLr(lr, fmtLr);
  return (
    <input
      value={text}
      size={9}
      onChange={(e) => {
        setDraft(e.target.value);
        const v = parseLr(e.target.value);
        if (v !== undefined) setFitOptions({ lr: v });
      }}
      onBlur={() => setDraft(undefined)}
      disabled={disabled}
      data-testid="fit-lr"
      aria-invalid={parseLr(text) === undefined}
      title="a number, or slice(lo, hi): discriminative LRs across the parameter groups (fastai)"
    />
  );
}
