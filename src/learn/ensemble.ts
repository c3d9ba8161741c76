// Snapshot ensembles (Huang et al. 2017, "Snapshot Ensembles: Train 1, get M for free",
// https://arxiv.org/abs/1704.00109; fastai course v1 lesson 2's SGDR cycles): the weights at the
// end of each SGDR cycle (or of chosen epochs) are kept on the CPU, and the ensemble predicts
// with the mean of the members' activated outputs (softmax, or sigmoid for multi-label).
import { Callback } from './learner';
import type { Model } from '../models/model';
import { loadCpuWeights, weightsToCpu, type Snapshot } from './snapshot';
import type { FitArgs } from '../shared/protocol';

/** One kept set of weights: after epoch `epoch` (0-based, as the epoch table) of its fit, at
 * training iteration `iter` of that fit. */
export interface EnsembleMember {
  epoch: number;
  iter: number;
  weights: Snapshot['weights'];
}

/** The 0-based epochs at which fit_sgdr's cycles end: cycle i lasts cycleLen * cycleMult^i. */
export function cycleEnds(nCycles: number, cycleLen: number, cycleMult: number): number[] {
  const ends: number[] = [];
  let end = 0;
  for (let i = 0; i < nCycles; i++) ends.push((end += cycleLen * cycleMult ** i) - 1);
  return ends;
}

/** The epochs a fit keeps snapshots at, or an error naming what does not fit. */
export function snapshotEpochs(a: FitArgs): number[] {
  const policy = a.policy ?? 'one_cycle';
  if (policy === 'fine_tune')
    throw new Error(
      'snapshots: fine_tune runs two fits; keep snapshots with sgdr (cycle ends) or give epochs to fit/one_cycle',
    );
  const sgdr = policy === 'sgdr';
  const ends = sgdr ? cycleEnds(a.epochs, a.cycleLen ?? 1, a.cycleMult ?? 2) : [];
  const nEpoch = sgdr ? ends[ends.length - 1] + 1 : a.epochs;
  if (a.snapshots === true) {
    if (!sgdr)
      throw new Error(
        `snapshots at cycle ends need the sgdr policy (got ${policy}); give the epochs to keep instead`,
      );
    return ends;
  }
  const bad = (a.snapshots || []).filter((e) => !(Number.isInteger(e) && e >= 0 && e < nEpoch));
  if (bad.length)
    throw new Error(`snapshots: epochs ${bad.join(', ')} are not in this fit's 0..${nEpoch - 1}`);
  return [...new Set(a.snapshots || [])].sort((x, y) => x - y);
}

/** Copies `model`'s weights and BN buffers to the CPU at the end of the chosen epochs (the
 * model is given: on precomputed features the Learner trains the head alone, a part of it). */
export class SnapshotEnsemble extends Callback {
  order = 70; // before the recovery's epoch-end checkpoint (75): a resumed fit retakes later ones
  runValid = false;
  constructor(
    public epochs: number[],
    public members: EnsembleMember[],
    public model?: Model,
  ) {
    super();
  }
  async after_epoch() {
    const e = this.learn.epoch;
    if (!this.epochs.includes(e)) return;
    const weights = await weightsToCpu(this.model ?? this.learn.model);
    // A fit resumed from a checkpoint (src/reliability) trains the later epochs again.
    const kept = this.members.filter((m) => m.epoch < e);
    this.members.splice(0, this.members.length, ...kept, {
      epoch: e,
      iter: this.learn.trainIter,
      weights,
    });
  }
}

/** `f` with each member's weights loaded in turn; the model's own weights go back afterwards,
 * faults included (kept as a CPU copy: no second set of weights on the GPU). */
export async function overMembers<T>(
  model: Model,
  members: EnsembleMember[],
  f: (m: EnsembleMember) => Promise<T>,
): Promise<T[]> {
  const own = await weightsToCpu(model);
  const out: T[] = [];
  try {
    for (const m of members) {
      loadCpuWeights(model, m.weights);
      out.push(await f(m));
    }
  } finally {
    loadCpuWeights(model, own);
  }
  return out;
}

/** The element-wise mean of equal-length predictions. */
export function meanPreds(parts: ArrayLike<number>[]): Float32Array {
  if (!parts.length) throw new Error('ensemble: no snapshots to average');
  const out = new Float32Array(parts[0].length);
  for (const p of parts) {
    if (p.length !== out.length)
      throw new Error(`ensemble: predictions of ${p.length} values, expected ${out.length}`);
    for (let j = 0; j < out.length; j++) out[j] += p[j] / parts.length;
  }
  return out;
}

/** The session's members, or a clear error when there are none. */
export function membersOf(s: { snapshots?: EnsembleMember[] }): EnsembleMember[] {
  if (!s.snapshots?.length)
    throw new Error(
      'no snapshots kept: train with sgdr and "keep snapshots (ensemble)" (CLI: --sgdr N --snapshots)',
    );
  return s.snapshots;
}
