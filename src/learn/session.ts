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
import { demoBatches } from './demoData';
import { tinyBnCnn } from './demoNet';
import { historyOf } from './history';
import { learner } from './fit';
import type { EnsembleMember } from './ensemble';
import type { Batches } from './batches';
import type { Learner } from './learner';
import { BCEWithLogitsLossFlat, CrossEntropyLossFlat, LabelSmoothingCrossEntropy } from './losses';
import { accuracy, accuracyMulti, errorRate, F1Score, Precision, Recall } from './metrics';
import { Adam, SGD } from './optimizer';
import { learnerModel } from './pretrained';
import { FeatureCache } from './precompute';
import { fingerprint } from './snapshot';
import { metricsOf, tta } from './tta';
import type { ArgsOf, LearnSetupArgs, ResultOf, SourcePixels, TtaResult } from '../shared/protocol';

/** One Learner kept between commands, with the settings it was set up with. */
export interface LearnSession {
  learn: Learner;
  setup: Required<LearnSetupArgs>;
  /** Body features of the frozen model, shared by lr_find and fine_tune's frozen epoch. */
  features: FeatureCache;
  /** The last fit's snapshot ensemble (src/learn/ensemble.ts), weights on the CPU. */
  snapshots?: EnsembleMember[];
}

/** Features stay valid for one model, one set of batches and no training step since. */
const newFeatureCache = () =>
  new FeatureCache((l) => [l.model, l.data, l.model.frozenGroups, historyOf(l).iterations]);

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
export const optFuncOf = (s: Required<LearnSetupArgs>) =>
  s.opt === 'sgd' ? SGD({ mom: s.mom }) : Adam({ mom: s.mom });

/** The session's data: demo shapes, or the imported folder through data/'s DataLoaders. */
export function makeData(h: LearnerHost, s: Required<LearnSetupArgs>, model: Model): Batches {
  if (s.data === 'demo') return demoBatches(s);
  const dls = dataLoaders(h.data, { itemTfm: itemTfmOf(s), aug: s.aug, seed: s.seed });
  return learnerBatches(dls, s.bs, model.input);
}

/** Imported photos decoded at the size the item transform reads (before makeData). */
export async function sourceFor(
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
  h.learner = { learn, setup, features: newFeatureCache() };
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
  s?.features.clear();
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
