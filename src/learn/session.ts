// The worker's training session: one model + data + Learner kept between commands, so lr_find,
// fit and inspection act on the same weights. Command args/results are plain JSON (protocol.ts).
import * as tf from '@tensorflow/tfjs';
import { DEMO_CLASSES } from '../data/demoShapes';
import type { Model } from '../models/model';
import { tinyCnn } from '../models/tinyCnn';
import { DivergenceGuard, InterruptCallback, Recorder, SaveModelCallback, type EpochRow } from './callbacks';
import { demoBatches } from './demoData';
import { tinyBnCnn } from './demoNet';
import { EmitCallback, type BatchRecord } from './emit';
import { fineTune, fitOneCycle, fitSgdr, learner, lrFind, type LrFindResult } from './fit';
import { Callback, type Batches, type Learner } from './learner';
import { CrossEntropyLossFlat, LabelSmoothingCrossEntropy } from './losses';
import { accuracy, errorRate, F1Score, Precision, Recall } from './metrics';
import { MixUp } from './mixup';
import type { SuggestionName } from './schedule';
import { tta } from './tta';

export interface LearnSetupArgs {
  /** Small built-in nets; ResNets arrive through the models helper. */
  arch?: 'tiny-bn-cnn' | 'tiny-cnn';
  size?: number;
  bs?: number;
  /** Training / validation batches per epoch of the procedural demo dataset. */
  nTrain?: number;
  nValid?: number;
  seed?: number;
  labelSmoothing?: boolean;
}
export interface LearnSetupResult {
  arch: string;
  vocab: string[];
  groups: number;
  nParams: number;
}

export type FitPolicy = 'one_cycle' | 'fit' | 'sgdr' | 'fine_tune';
export interface FitArgs {
  policy?: FitPolicy;
  epochs: number;
  lr?: number;
  /** sgdr only. */
  cycleLen?: number;
  cycleMult?: number;
  mixup?: boolean;
  /** Keep the best epoch's weights (by valid_loss). */
  saveBest?: boolean;
  /** Progressive resizing: continue with the same weights at this image size. */
  size?: number;
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
export type TrainEvent = ({ type: 'trainBatch' } & BatchRecord) | { type: 'trainEpoch'; row: EpochRow & { numTensors: number } };

let session: { learn: Learner; setup: Required<LearnSetupArgs> } | undefined;

const DEFAULTS: Required<LearnSetupArgs> = { arch: 'tiny-bn-cnn', size: 32, bs: 16, nTrain: 20, nValid: 4, seed: 1, labelSmoothing: false };

const demoData = (s: Required<LearnSetupArgs>): Batches => demoBatches(s);

export function learnSetup(args: LearnSetupArgs): LearnSetupResult {
  learnDispose();
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const setup = { ...DEFAULTS, ...given } as Required<LearnSetupArgs>;
  const n = DEMO_CLASSES.length;
  const model: Model = setup.arch === 'tiny-cnn' ? tinyCnn(n, setup.seed) : tinyBnCnn(n, setup.seed);
  const learn = learner(model, demoData(setup), {
    lossFunc: setup.labelSmoothing ? LabelSmoothingCrossEntropy() : CrossEntropyLossFlat(),
    metrics: [accuracy, errorRate, Precision(), Recall(), F1Score()],
  });
  session = { learn, setup };
  return { arch: model.arch, vocab: [...DEMO_CLASSES], groups: model.groups.length, nParams: [...model.params.values()].reduce((s, v) => s + v.size, 0) };
}

export function learnDispose() {
  session?.learn.opt?.dispose();
  session?.learn.model.dispose();
  session = undefined;
}

function current(): Learner {
  if (!session) learnSetup({});
  return session!.learn;
}

/** Epoch rows across the fits of one command (fine_tune runs two; Recorder resets per fit). */
class RowCollector extends Callback {
  order = 100;
  rows: EpochRow[] = [];
  after_fit() {
    this.rows.push(...this.learn.cb(Recorder)!.values);
  }
}

export async function fit(args: FitArgs, emit: (e: TrainEvent) => void, control: { stopRequested: boolean; paused?: boolean }): Promise<FitResult> {
  const learn = current();
  if (args.size && args.size !== session!.setup.size) {
    session!.setup.size = args.size;
    learn.data = demoData(session!.setup);
  }
  const t0 = performance.now();
  const interrupt = new InterruptCallback(() => control.stopRequested, () => !!control.paused);
  const guard = new DivergenceGuard();
  const cbs: Callback[] = [
    interrupt,
    guard,
    new EmitCallback((r) => emit({ type: 'trainBatch', ...r }), (row) => emit({ type: 'trainEpoch', row })),
    ...(args.mixup ? [new MixUp(0.4, session!.setup.seed)] : []),
    ...(args.saveBest ? [new SaveModelCallback('valid_loss')] : []),
  ];
  const collect = new RowCollector();
  // DEBUG-TRACE
  const trace = new Callback();
  for (const ev of ['before_fit', 'before_epoch', 'before_train', 'before_batch', 'after_pred', 'after_loss', 'before_step', 'after_step', 'after_batch', 'after_fit'] as const)
    (trace as unknown as Record<string, () => void>)[ev] = () => (emit as unknown as (e: unknown) => void)({ type: 'status', message: `${ev} ${performance.now().toFixed(0)}` });
  trace.order = -100;
  cbs.push(trace);
  cbs.push(collect);
  const lr = args.lr;
  switch (args.policy ?? 'one_cycle') {
    case 'one_cycle':
      await fitOneCycle(learn, args.epochs, lr, { cbs });
      break;
    case 'fit':
      await learn.fit(args.epochs, { lr, cbs });
      break;
    case 'sgdr':
      await fitSgdr(learn, args.epochs, args.cycleLen ?? 1, lr, { cycleMult: args.cycleMult ?? 2, cbs });
      break;
    case 'fine_tune':
      await fineTune(learn, args.epochs, { baseLr: lr, cbs });
      break;
  }
  return { rows: collect.rows, stopped: interrupt.stopped, diverged: guard.diverged, seconds: (performance.now() - t0) / 1000 };
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
    const bytes = new Uint8Array(((await t.data()) as Float32Array).buffer.slice(0));
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export async function learnState(): Promise<LearnStateResult> {
  const learn = current();
  const m = learn.model;
  const opt = [...(learn.opt?.state.values() ?? [])].flatMap((s) => Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  return {
    weightsHash: await fnv([...m.params.values(), ...m.buffers.values()]),
    optHash: opt.length ? await fnv(opt) : '',
    numTensors: tf.memory().numTensors,
  };
}
