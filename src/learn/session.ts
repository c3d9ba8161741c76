// The worker's training session: one model + data + Learner kept between commands, so lr_find,
// fit and inspection act on the same weights. Command args/results are plain JSON (protocol.ts).
import * as tf from '@tensorflow/tfjs';
import type { AugPreset } from '../data/augment';
import { DEMO_CLASSES } from '../shared/demoShapes';
import { currentDataset, dataLoaders } from '../data/importer';
import { learnerBatches } from '../data/loaders';
import { currentEngine } from '../engine/device';
import type { Model } from '../models/model';
import { tinyCnn } from '../models/tinyCnn';
import {
  DivergenceGuard,
  InterruptCallback,
  Recorder,
  SaveModelCallback,
  type EpochRow,
} from './callbacks';
import { demoBatches } from './demoData';
import { tinyBnCnn } from './demoNet';
import { EmitCallback, type BatchRecord } from './emit';
import { EngineValidation } from './engineValidation';
import { HistoryCallback, historyOf, setHistory } from './history';
import { FitRecovery, type RecoveryEvent } from './recovery';
import {
  fineTune,
  fitOneCycle,
  fitSgdr,
  learner,
  lrFind,
  onPrecomputed,
  type LrFindResult,
} from './fit';
import { Callback, type Batches, type Learner } from './learner';
import { BCEWithLogitsLossFlat, CrossEntropyLossFlat, LabelSmoothingCrossEntropy } from './losses';
import { accuracy, accuracyMulti, errorRate, F1Score, Precision, Recall } from './metrics';
import { MixUp } from './mixup';
import { learnerModel } from './pretrained';
import type { LrSlice, SuggestionName } from '../shared/schedule';
import { tta } from './tta';

export interface LearnSetupArgs {
  /** Small built-in nets, or a ResNet of the models zoo (random init) with fastai's head. */
  arch?: string;
  /** The procedural demo set, or the folder imported by the Data panel / `import`. */
  data?: 'demo' | 'imported';
  aug?: AugPreset;
  size?: number;
  bs?: number;
  /** Training / validation batches per epoch of the procedural demo dataset. */
  nTrain?: number;
  nValid?: number;
  seed?: number;
  labelSmoothing?: boolean;
  /** ResNets: start from ImageNet weights (arch resnet50-imagenet: the bundled Keras ResNet50),
   * frozen but for the head, as fastai's vision_learner(pretrained=True). */
  pretrained?: boolean;
  /** 'current': the body of the model loaded by the Model commands (models/session.ts). */
  body?: 'current' | 'arch';
}
export interface LearnSetupResult {
  arch: string;
  vocab: string[];
  groups: number;
  nParams: number;
  pretrained: boolean;
  /** Frozen layer groups (fastai freeze: all but the head when pretrained). */
  frozenGroups: number;
  /** Always false: training is f32; why, for the report. */
  mixedPrecision: false;
  mixedPrecisionReason: string;
}

export type FitPolicy = 'one_cycle' | 'fit' | 'sgdr' | 'fine_tune';
export interface FitArgs {
  policy?: FitPolicy;
  epochs: number;
  /** A number, or fastai's `slice(hi)` / `slice(lo, hi)` for discriminative LRs (not fine_tune,
   * whose base_lr is one number: it makes its own slice). */
  lr?: number | LrSlice;
  /** sgdr only. */
  cycleLen?: number;
  cycleMult?: number;
  mixup?: boolean;
  /** Keep the best epoch's weights (by valid_loss). */
  saveBest?: boolean;
  /** Progressive resizing: continue with the same weights at this image size. */
  size?: number;
  /** Weight decay (decoupled, as fastai's Adam); kept for later fits. */
  wd?: number;
  /** While the body is frozen, train the head on cached body features (fastai v0.7
   * precompute): fine_tune's frozen phase, or any policy on a frozen model. */
  precompute?: boolean;
}
export interface FitResult {
  rows: EpochRow[];
  stopped: boolean;
  diverged?: { lr: number; iter: number; loss: number };
  seconds: number;
}
export interface LrFindArgs {
  startLr?: number;
  endLr?: number;
  numIt?: number;
  suggest?: SuggestionName[];
}
export type LrFindCmdResult = LrFindResult & { suggestion: number };
export interface LearnStateResult {
  /** FNV-1a over the bytes of every param and buffer: equal iff bit-identical. */
  weightsHash: string;
  /** Same over the optimizer state tensors (empty string if none). */
  optHash: string;
  numTensors: number;
}
export type TrainEvent =
  | ({ type: 'trainBatch' } & BatchRecord)
  | { type: 'trainEpoch'; row: EpochRow & { numTensors: number } };

let session: { learn: Learner; setup: Required<LearnSetupArgs> } | undefined;

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
};

/** The session's data: demo shapes, or the imported folder through the data helper's loaders. */
function makeData(
  s: Required<LearnSetupArgs>,
  model: Model,
): Batches & { vocab: readonly string[]; multiLabel?: boolean } {
  if (s.data === 'demo') return demoBatches(s);
  const dls = dataLoaders({
    itemTfm: { kind: 'resize', size: s.size, method: 'squish' },
    aug: s.aug,
    seed: s.seed,
  });
  return learnerBatches(dls, s.bs, model.input);
}

async function makeModel(s: Required<LearnSetupArgs>, nClasses: number): Promise<Model> {
  if (s.arch === 'tiny-cnn') return tinyCnn(nClasses, s.seed);
  if (s.arch === 'tiny-bn-cnn') return tinyBnCnn(nClasses, s.seed);
  return learnerModel(s, nClasses);
}

/** Training is f32 only: no f16 path exists (and SwiftShader/CI adapters lack shader-f16). */
function mixedPrecisionReason() {
  const info = currentEngine()?.info;
  return info && !info.shaderF16
    ? 'adapter lacks shader-f16'
    : 'no f16 training path in the studio yet (f32 only)';
}

export async function learnSetup(args: LearnSetupArgs): Promise<LearnSetupResult> {
  learnDispose();
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const setup = { ...DEFAULTS, ...given } as Required<LearnSetupArgs>;
  const vocab = setup.data === 'demo' ? [...DEMO_CLASSES] : currentDataset()!.summary.classes;
  const model = await makeModel(setup, vocab.length);
  return install(setup, vocab, model);
}

function install(setup: Required<LearnSetupArgs>, vocab: string[], model: Model) {
  const multiLabel = setup.data === 'imported' && currentDataset()!.summary.multiLabel;
  const learn = learner(model, makeData(setup, model), {
    lossFunc: multiLabel
      ? BCEWithLogitsLossFlat()
      : setup.labelSmoothing
        ? LabelSmoothingCrossEntropy()
        : CrossEntropyLossFlat(),
    metrics: multiLabel
      ? [accuracyMulti()]
      : [accuracy, errorRate, Precision(), Recall(), F1Score()],
  });
  session = { learn, setup };
  return {
    arch: model.arch,
    vocab,
    groups: model.groups.length,
    nParams: [...model.params.values()].reduce((s, v) => s + v.size, 0),
    pretrained: setup.pretrained || setup.body === 'current',
    frozenGroups: model.frozenGroups,
    mixedPrecision: false as const,
    mixedPrecisionReason: mixedPrecisionReason(),
  };
}

/** fastai freeze()/unfreeze() on the session's model (none given: report only); null: no learner. */
export function learnFreeze(args: { frozen?: boolean }) {
  if (!session) return null;
  const learn = session.learn;
  if (args.frozen === true) learn.freeze();
  if (args.frozen === false) learn.unfreeze();
  return { groups: learn.model.groups.length, frozenGroups: learn.model.frozenGroups };
}

/** Session import (src/export/sessionImport.ts): the current session is kept aside while the
 * archive's is built, and put back if that fails. */
export function detachSession() {
  const s = session;
  session = undefined;
  return s;
}
export function attachSession(s: typeof session) {
  learnDispose();
  session = s;
}

export function learnDispose() {
  session?.learn.opt?.dispose();
  session?.learn.model.dispose();
  session = undefined;
}

function current(): Learner {
  if (!session) install({ ...DEFAULTS }, [...DEMO_CLASSES], tinyBnCnn(DEMO_CLASSES.length, 1));
  return session!.learn;
}

/** The session's Learner and settings, or undefined before learnSetup (interpretation, export). */
export const learnSession = ():
  Readonly<{ learn: Learner; setup: Required<LearnSetupArgs> }> | undefined => session;

/** Epoch rows across the fits of one command (fine_tune runs two; Recorder resets per fit). */
class RowCollector extends Callback {
  order = 100;
  rows: EpochRow[] = [];
  after_fit() {
    this.rows.push(...this.learn.cb(Recorder)!.values);
  }
}

export async function fit(
  args: FitArgs,
  emit: (e: TrainEvent | RecoveryEvent) => void,
  control: { stopRequested: boolean; paused?: boolean },
): Promise<FitResult> {
  // A lost GPU device or out-of-memory batch size: rebuild from the last CPU checkpoint and
  // carry on (src/learn/recovery.ts).
  if (args.policy === 'fine_tune' && typeof args.lr === 'object')
    throw new Error(
      'fine_tune takes one base LR (fastai: learn.fine_tune(epochs, base_lr)) and makes its own ' +
        'slice(base_lr/200, base_lr/2) for the unfrozen phase; give a number, or unfreeze and use ' +
        'fit_one_cycle with a slice',
    );
  const t0 = performance.now();
  const recovery = new FitRecovery(emit, session?.setup.bs ?? DEFAULTS.bs);
  for (;;) {
    try {
      // (Not on precomputed features: the head Learner's weights are not the session's.)
      const cbs = args.precompute ? [] : recovery.callbacks();
      const r = await fitOnce(args, (e) => recovery.emit(e, emit), control, cbs);
      recovery.finish(historyOf(current()));
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    } catch (err) {
      const setup = session?.setup;
      if (!setup) throw err;
      await recovery.recover(err, {
        dispose: learnDispose,
        rebuild: async (bs, history) => {
          await learnSetup({ ...setup, bs });
          setHistory(current(), history);
          return current();
        },
      });
    }
  }
}

async function fitOnce(
  args: FitArgs,
  emit: (e: TrainEvent) => void,
  control: { stopRequested: boolean; paused?: boolean },
  recoveryCbs: Callback[],
): Promise<FitResult> {
  const learn = current();
  if (args.size && args.size !== session!.setup.size) {
    session!.setup.size = args.size;
    learn.data = makeData(session!.setup, learn.model);
  }
  const t0 = performance.now();
  const interrupt = new InterruptCallback(
    () => control.stopRequested,
    () => !!control.paused,
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
    ...(args.mixup ? [new MixUp(0.4, session!.setup.seed)] : []),
    ...(args.saveBest ? [new SaveModelCallback('valid_loss')] : []),
  ];
  const collect = new RowCollector();
  cbs.push(collect, ...recoveryCbs);
  cbs.push(new HistoryCallback(historyOf(learn), args)); // session archives (src/export)
  const lr = args.lr;
  if (args.wd !== undefined) learn.wd = args.wd;
  const pre = args.precompute ? { bs: session!.setup.bs, seed: session!.setup.seed } : undefined;
  const policy = args.policy ?? 'one_cycle';
  if (pre && policy !== 'fine_tune') {
    // Any policy on the frozen model: the head alone, on cached body features.
    await onPrecomputed(learn, pre, (head) =>
      policy === 'fit'
        ? head.fit(args.epochs, { lr, cbs })
        : policy === 'sgdr'
          ? fitSgdr(head, args.epochs, args.cycleLen ?? 1, lr, {
              cycleMult: args.cycleMult ?? 2,
              cbs,
            })
          : fitOneCycle(head, args.epochs, lr, { cbs }),
    );
  } else
    switch (policy) {
      case 'one_cycle':
        await fitOneCycle(learn, args.epochs, lr, { cbs });
        break;
      case 'fit':
        await learn.fit(args.epochs, { lr, cbs });
        break;
      case 'sgdr':
        await fitSgdr(learn, args.epochs, args.cycleLen ?? 1, lr, {
          cycleMult: args.cycleMult ?? 2,
          cbs,
        });
        break;
      case 'fine_tune':
        await fineTune(learn, args.epochs, {
          baseLr: lr as number | undefined,
          cbs,
          precompute: pre,
        });
        break;
    }
  return {
    rows: collect.rows,
    stopped: interrupt.stopped,
    diverged: guard.diverged,
    seconds: (performance.now() - t0) / 1000,
  };
}

export async function lrFindCmd(args: LrFindArgs): Promise<LrFindCmdResult> {
  const r = await lrFind(current(), args);
  return { ...r, suggestion: r.suggestions[args.suggest?.[0] ?? 'valley'].lr };
}

export async function ttaCmd(args: { n?: number; beta?: number }) {
  const o = await tta(current(), args);
  return { accuracy: accuracy.value(o), n: o.n };
}

async function fnv(tensors: tf.Tensor[]): Promise<string> {
  let h = 0x811c9dc5;
  for (const t of tensors) {
    const data = (await t.data()) as Float32Array;
    // A view: on the cpu backend data() may be a window into a larger buffer.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export async function learnState(): Promise<LearnStateResult> {
  const learn = current();
  const m = learn.model;
  const opt = [...(learn.opt?.state.values() ?? [])].flatMap((s) =>
    Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor),
  );
  return {
    weightsHash: await fnv([...m.params.values(), ...m.buffers.values()]),
    optHash: opt.length ? await fnv(opt) : '',
    numTensors: tf.memory().numTensors,
  };
}
