// The fit policies as the Train panel names them (fastai's method names), and the head's LR.
import type { LrSlice } from '../../../shared/schedule';
import type { FitPolicy } from '../../../shared/protocol';

export const POLICY_LABEL: Record<FitPolicy, string> = {
  fine_tune: 'fine_tune',
  one_cycle: 'fit_one_cycle',
  sgdr: 'fit_sgdr',
  fit: 'fit (constant LR)',
};

/** The head's LR: the number itself, or a slice's high end (what the schedule chart draws). */
export const headLr = (lr: number | LrSlice) => (typeof lr === 'number' ? lr : lr.hi);
