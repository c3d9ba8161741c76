// The fit commands on the session's Learner: one fit policy (fastai's fit, fit_one_cycle,
// fit_sgdr, fine_tune; on precomputed body features when asked) and lr_find.
import { InterruptCallback, Recorder } from './callbacks';
import { EmitCallback } from './emit';
import { EngineValidation } from './engineValidation';
import { SnapshotEnsemble, snapshotEpochs, type EnsembleMember } from './ensemble';
import { fineTune, fitOneCycle, fitSgdr, lrFind, onPrecomputed } from './fit';
import { HistoryCallback, historyOf } from './history';
import { Callback, type Learner } from './learner';
import { MixUp } from './mixup';
import {
  makeData,
  optFuncOf,
  sessionOf,
  sourceFor,
  type FitControl,
  type LearnerHost,
  type LearnSession,
} from './session';
import { DivergenceGuard, SaveModelCallback } from './tracker';
import type {
  ArgsOf,
  EpochRow,
  FitArgs,
  FitPolicy,
  RecoveryEvent,
  ResultOf,
  SourcePixels,
  TrainEvent,
} from '../shared/protocol';

/** A fit's optimizer choice, if it differs from the session's: a new optimizer, fresh state. */
function applyOptimizer({ learn, setup }: LearnSession, a: FitArgs) {
  const opt = a.opt ?? setup.opt;
  const mom = a.mom ?? setup.mom;
  if (opt === setup.opt && mom === setup.mom) return;
  Object.assign(setup, { opt, mom });
  learn.optFunc = optFuncOf(setup);
  learn.opt?.dispose();
  learn.opt = undefined; // Learner.fit creates it (with the frozen groups' do_wd) on its way in
}

/** Epoch rows across the fits of one command (fine_tune runs two; Recorder resets per fit). */
class RowCollector extends Callback {
  order = 100;
  rows: EpochRow[] = [];
  /** Where the last fit's rows start. */
  lastStart = 0;
  after_fit() {
    this.lastStart = this.rows.length;
    this.rows.push(...this.learn.cb(Recorder)!.values);
  }
}

/** Runs one fit policy on the session's Learner (fastai's fit, fit_one_cycle, fit_sgdr,
 * fine_tune; precomputed body features when asked); `extraCbs`: the recovery's checkpoints;
 * `kept`: the snapshots an interrupted attempt of this fit took (the recovery resumes it). */
export async function fitPolicy(
  h: LearnerHost & { control: FitControl },
  args: FitArgs,
  emit: (e: TrainEvent | RecoveryEvent) => void,
  extraCbs: Callback[],
  kept: EnsembleMember[] = [],
): Promise<ResultOf<'fit'>> {
  const session = sessionOf(h);
  const { learn, setup } = session;
  const control = h.control;
  // A new fit's weights make the last fit's snapshots stale: they go either way.
  const at = args.snapshots ? snapshotEpochs(args) : undefined;
  session.snapshots = at && kept;
  applyOptimizer(session, args);
  let source: SourcePixels | undefined;
  // Progressive resizing: the photos are read again if the cache is smaller than the new size.
  if (args.size && args.size !== setup.size) {
    setup.size = args.size;
    source = await sourceFor(h, setup, (message) => emit({ type: 'status', message }));
    learn.data = makeData(h, setup, learn.model);
  }
  const t0 = performance.now();
  const interrupt = new InterruptCallback(
    () => control.stopRequested,
    () => control.paused,
  );
  const guard = new DivergenceGuard();
  const cbs: Callback[] = [
    interrupt,
    guard,
    new EngineValidation(),
    new EmitCallback(
      (r) => emit({ type: 'trainBatch', ...r }),
      (row) => emit({ type: 'trainEpoch', row }),
    ),
    ...(args.mixup ? [new MixUp(args.mixup === true ? 0.4 : args.mixup, setup.seed)] : []),
  ];
  const best = args.saveBest ? new SaveModelCallback('valid_loss') : undefined;
  if (best) cbs.push(best);
  if (at) cbs.push(new SnapshotEnsemble(at, kept, learn.model));
  const collect = new RowCollector();
  cbs.push(collect, ...extraCbs);
  const pos = { frozenGroups: learn.model.frozenGroups, size: setup.size };
  cbs.push(new HistoryCallback(historyOf(learn), args, pos)); // session archives, script (src/export)
  if (args.wd !== undefined) learn.wd = args.wd;
  const pre = args.precompute
    ? { bs: setup.bs, seed: setup.seed, cache: session.features }
    : undefined;
  const policy = args.policy ?? 'one_cycle';
  if (policy === 'fine_tune')
    await fineTune(learn, args.epochs, {
      baseLr: args.lr as number | undefined,
      moms: args.moms,
      cbs,
      precompute: pre,
    });
  // Any other policy on the frozen model with precompute: the head alone, on cached features.
  else if (pre) await onPrecomputed(learn, pre, (head) => runPolicy(head, policy, args, cbs));
  else await runPolicy(learn, policy, args, cbs);
  return {
    rows: collect.rows,
    stopped: interrupt.stopped,
    diverged: guard.diverged,
    seconds: (performance.now() - t0) / 1000,
    // The best epoch of the last fit (fine_tune's unfrozen one): SaveModelCallback loaded it.
    kept: best && best.bestEpoch >= 0 ? collect.lastStart + best.bestEpoch : undefined,
    size: setup.size,
    source,
    snapshots: session.snapshots?.map((m) => m.epoch),
  };
}

function runPolicy(l: Learner, policy: FitPolicy, a: FitArgs, cbs: Callback[]) {
  if (policy === 'fit') return l.fit(a.epochs, { lr: a.lr, cbs });
  if (policy === 'sgdr')
    return fitSgdr(l, a.epochs, a.cycleLen ?? 1, a.lr, { cycleMult: a.cycleMult ?? 2, cbs });
  return fitOneCycle(l, a.epochs, a.lr, { moms: a.moms, cbs });
}

export async function lrFindCmd(
  h: LearnerHost,
  args: ArgsOf<'lrFind'>,
  cbs: Callback[] = [],
): Promise<ResultOf<'lrFind'>> {
  const { learn, setup, features } = sessionOf(h);
  const sweep = (l: Learner) => lrFind(l, { ...args, cbs });
  // precompute: the sweep trains the head on cached body features, kept for fine_tune's frozen epoch.
  const r = args.precompute
    ? await onPrecomputed(learn, { bs: setup.bs, seed: setup.seed, cache: features }, sweep)
    : await sweep(learn);
  const mode = args.precompute ? ('precompute' as const) : ('exact' as const);
  return { ...r, mode, suggestion: r.suggestions[args.suggest?.[0] ?? 'valley'].lr };
}
