// The snapshot ensemble of the Learner session (src/learn/ensemble.ts): its metrics on the
// validation set next to the final weights', and its weight sets for an export.
import { overMembers, meanPreds, membersOf } from './ensemble';
import { sessionOf, type LearnerHost } from './session';
import type { Snapshot } from './snapshot';
import { getPreds, metricsOf } from './tta';
import type { EnsembleResult } from '../shared/protocol';

/** The learner's metrics with its own weights, with each snapshot's, and with their mean. */
export async function ensembleCmd(h: LearnerHost): Promise<EnsembleResult> {
  const s = sessionOf(h);
  const members = membersOf(s);
  const { learn } = s;
  const own = await getPreds(learn);
  const each = await overMembers(learn.model, members, async () => (await getPreds(learn)).preds);
  return {
    n: own.n,
    single: metricsOf(learn, own, own.preds),
    members: members.map((m, i) => ({
      epoch: m.epoch,
      iter: m.iter,
      metrics: metricsOf(learn, own, each[i]),
    })),
    ensemble: metricsOf(learn, own, meanPreds(each)),
  };
}

/** The snapshots' weight sets (params and BN buffers by key, CPU copies), oldest first, for an
 * export of the ensemble (the one-file page); empty when the last fit kept none. */
export function snapshotWeights(h: LearnerHost): Snapshot['weights'][] {
  return (h.learner?.snapshots ?? []).map((m) => m.weights);
}
