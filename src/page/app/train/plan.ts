// The LR and momentum a fit will use at every iteration, computed before it runs from the same
// schedule functions the worker's ParamScheduler uses, so the chart can draw the plan ahead.
import { oneCycleScheds, sgdrPlan, type Sched } from '../../../shared/schedule';
import type { FitPolicy } from '../../../shared/protocol';

export interface PlanPoint {
  iter: number;
  lr: number;
  mom?: number;
}

const last = (s: Sched | Sched[]) => (Array.isArray(s) ? s[s.length - 1] : s);

export function plannedSchedule(
  policy: FitPolicy,
  totalIters: number,
  lr: number,
  sgdr: { cycleLen: number; cycleMult: number; nCycles: number } = {
    cycleLen: 1,
    cycleMult: 2,
    nCycles: 1,
  },
  moms?: [number, number, number],
): PlanPoint[] {
  if (policy === 'fine_tune' || totalIters <= 0) return [];
  const scheds =
    policy === 'one_cycle'
      ? oneCycleScheds([lr], { moms })
      : policy === 'sgdr'
        ? sgdrPlan(sgdr.nCycles, sgdr.cycleLen, [lr], sgdr.cycleMult).scheds
        : { lr: () => lr };
  const fLr = last(scheds.lr);
  const fMom = scheds.mom ? last(scheds.mom) : undefined;
  return Array.from({ length: totalIters }, (_, i) => {
    const pct = i / totalIters;
    return { iter: i + 1, lr: fLr(pct), mom: fMom?.(pct) };
  });
}
