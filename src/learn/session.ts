// The worker's training session: one model + data + Learner kept (in the worker state) between
// commands, so lr_find, fit and inspection act on the same weights: set it up, freeze it, run one
// fit policy on it (the recovering fit around it: src/reliability/recovery.ts), fingerprint it.
import * as tf from '@tensorflow/tfjs';
import { DEMO_CLASSES } from '../shared/demoShapes';
import { dataLoaders, type DataState } from '../data/importer';
import type { ModelState } from '../models/session';
import { learnerBatches } from '../data/loaders';
import { ensureSource, itemTfmOf, sourceTarget } from '../data/sourceSize';
import { currentEngine } from '../engine/device';
import type { Model } from '../models/model';
import { tinyCnn } from '../models/tinyCnn';
import { InterruptCallback, Recorder } from './callbacks';
import { DivergenceGuard, SaveModelCallback } from './tracker';
import { demoBatches } from './demoData';
import { tinyBnCnn } from './demoNet';
import { EmitCallback } from './emit';
import { EngineValidation } from './engineValidation';
import { SnapshotEnsemble, snapshotEpochs, type EnsembleMember } from './ensemble';
import { HistoryCallback, historyOf } from './history';
import { fineTune, fitOneCycle, fitSgdr, learner, lrFind, onPrecomputed } from './fit';
import type { Batches } from './batches';
import { Callback, type Learner } from './learner';
import { BCEWithLogitsLossFlat, CrossEntropyLossFlat, LabelSmoothingCrossEntropy } from './losses';
import { accuracy, accuracyMulti, errorRate, F1Score, Precision, Recall } from './metrics';
import { MixUp } from './mixup';
import { Adam, SGD } from './optimizer';
import { learnerModel } from './pretrained';
import { fingerprint } from './snapshot';
import { metricsOf, tta } from './tta';
import type {
  ArgsOf,
  EpochRow,
  FitArgs,
  FitPolicy,
  LearnSetupArgs,
  RecoveryEvent,
  ResultOf,
  SourcePixels,
  TrainEvent,
  TtaResult,
} from '../shared/protocol';

/** One Learner kept between commands, with the settings it was set up with. */
export interface LearnSession {
  learn: Learner;
  setup: Required<LearnSetupArgs>;
  /** The last fit's snapshot ensemble (src/learn/ensemble.ts), weights on the CPU. */
  snapshots?: EnsembleMember[];
}

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

/** What the Learner session reads and writes of the worker's state (src/worker/state.ts). */
export interface LearnerHost {
  learner?: LearnSession;
  data: DataState;
  model: ModelState;
}

/** Cooperative cancellation: a running fit polls these between batches. */
export interface FitControl {
  stopRequested: boolean;
  paused: boolean;
}

const DEFAULTS: Required<LearnSetupArgs> = {
  arch: 'tiny-bn-cnn',
  data: 'demo',
  aug: 'side-on',
  size: 32,
  bs: 16,
  nTrain: 20,
  nValid: 4,
  seed: 1,
  labelSmoothing: false,
  pretrained: false,
  body: 'arch',
  resize: 'squish',
  opt: 'adam',
  mom: 0.9,
  minScale: 0.08,
};

/** fastai opt_func from the setup: Adam, or SGD with momentum `mom` (0: plain SGD steps). */
const optFuncOf = (s: Required<LearnSetupArgs>) =>
  s.opt === 'sgd' ? SGD({ mom: s.mom }) : Adam({ mom: s.mom });

/** The session's data: demo shapes, or the imported folder through data/'s DataLoaders. */
export function makeData(h: LearnerHost, s: Required<LearnSetupArgs>, model: Model): Batches {
  if (s.data === 'demo') return demoBatches(s);
  const dls = dataLoaders(h.data, { itemTfm: itemTfmOf(s), aug: s.aug, seed: s.seed });
  return learnerBatches(dls, s.bs, model.input);
}

/** Imported photos decoded at the size the item transform reads (before makeData). */
async function sourceFor(
  h: LearnerHost,
  s: Required<LearnSetupArgs>,
  status?: (message: string) => void,
): Promise<SourcePixels | undefined> {
  if (s.data !== 'imported') return undefined;
  if (!['squish', 'crop', 'pad', 'random_resized_crop'].includes(s.resize))
    throw new Error(`resize ${s.resize}: give squish, crop, pad or random_resized_crop`);
  if (!(s.minScale > 0 && s.minScale <= 1))
    throw new Error(`RandomResizedCrop min_scale ${s.minScale}: give a number in (0, 1]`);
  return ensureSource(h.data, s.size, sourceTarget(s), status);
}

async function makeModel(
  h: LearnerHost,
  s: Required<LearnSetupArgs>,
  nClasses: number,
): Promise<Model> {
  if (s.arch === 'tiny-cnn') return tinyCnn(nClasses, s.seed);
  if (s.arch === 'tiny-bn-cnn') return tinyBnCnn(nClasses, s.seed);
  return learnerModel(s, nClasses, h.model.current?.model);
}

/** Training is f32 only: no f16 path exists (and SwiftShader/CI adapters lack shader-f16). */
function mixedPrecisionReason() {
  const info = currentEngine()?.info;
  return info && !info.shaderF16
    ? 'adapter lacks shader-f16'
    : 'no f16 training path in the studio yet (f32 only)';
}

/** A new Learner in `h.learner` (the previous one is disposed). */
export async function setupLearner(
  h: LearnerHost,
  args: LearnSetupArgs,
  status?: (message: string) => void,
): Promise<ResultOf<'setupLearner'>> {
  disposeLearner(h);
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const setup = { ...DEFAULTS, ...given } as Required<LearnSetupArgs>;
  const ds = setup.data === 'imported' ? h.data.current : undefined;
  if (setup.data === 'imported' && !ds)
    throw new Error('no dataset imported yet: import a folder in the Data panel first');
  const vocab = ds ? ds.summary.classes : [...DEMO_CLASSES];
  const source = await sourceFor(h, setup, status);
  const model = await makeModel(h, setup, vocab.length);
  const multiLabel = !!ds?.summary.multiLabel;
  const learn = learner(model, makeData(h, setup, model), {
    optFunc: optFuncOf(setup),
    lossFunc: multiLabel
      ? BCEWithLogitsLossFlat()
      : setup.labelSmoothing
        ? LabelSmoothingCrossEntropy()
        : CrossEntropyLossFlat(),
    metrics: multiLabel
      ? [accuracyMulti()]
      : [accuracy, errorRate, Precision(), Recall(), F1Score()],
  });
  h.learner = { learn, setup };
  return {
    arch: model.arch,
    vocab,
    groups: model.groups.length,
    nParams: [...model.params.values()].reduce((s, v) => s + v.size, 0),
    pretrained: setup.pretrained || setup.body === 'current',
    frozenGroups: model.frozenGroups,
    mixedPrecision: false as const,
    mixedPrecisionReason: mixedPrecisionReason(),
    source,
  };
}

/** fastai freeze()/unfreeze() on the session's model (none given: report only); null: no learner. */
export function freezeLearner(
  h: LearnerHost,
  args: ArgsOf<'freezeLearner'>,
): ResultOf<'freezeLearner'> {
  if (!h.learner) return null;
  const learn = h.learner.learn;
  if (args.frozen === true) learn.freeze();
  if (args.frozen === false) learn.unfreeze();
  return { groups: learn.model.groups.length, frozenGroups: learn.model.frozenGroups };
}

export function disposeSession(s: LearnSession | undefined) {
  s?.learn.opt?.dispose();
  s?.learn.model.dispose();
}
export function disposeLearner(h: LearnerHost) {
  disposeSession(h.learner);
  h.learner = undefined;
}

/** The session, or a clear error for a command that needs one. */
export function sessionOf(h: LearnerHost): LearnSession {
  if (!h.learner)
    throw new Error('no learner yet: set up a model in the Train panel (learn setup) first');
  return h.learner;
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
  const pre = args.precompute ? { bs: setup.bs, seed: setup.seed } : undefined;
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
  const r = await lrFind(sessionOf(h).learn, { ...args, cbs });
  return { ...r, suggestion: r.suggestions[args.suggest?.[0] ?? 'valley'].lr };
}

/** fastai learn.tta() on the validation set, with the learner's metrics on both predictions. */
export async function ttaCmd(
  h: LearnerHost,
  args: { n?: number; beta?: number },
): Promise<TtaResult> {
  const { learn } = sessionOf(h);
  const o = await tta(learn, args);
  return { n: o.n, plain: metricsOf(learn, o, o.plain), tta: metricsOf(learn, o, o.preds) };
}

export async function learnState(h: LearnerHost): Promise<ResultOf<'learnState'>> {
  const { learn } = sessionOf(h);
  const m = learn.model;
  const opt = [...(learn.opt?.state.values() ?? [])].flatMap((s) =>
    Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor),
  );
  const history = historyOf(learn);
  return {
    weightsHash: await fingerprint([...m.params.values(), ...m.buffers.values()]),
    optHash: opt.length ? await fingerprint(opt) : '',
    numTensors: tf.memory().numTensors,
    iterations: history.iterations,
    epochs: history.epochs.length,
  };
}
