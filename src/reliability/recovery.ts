// Faults during a fit: the GPU device is lost (driver reset, another tab, `device.destroy()`)
// or a batch size does not fit in GPU memory. A fit keeps a CPU-side checkpoint (weights, BN
// stats, optimizer state, Recorder history) at the start and at every epoch end; on a fault
// the worker makes a new device if needed, rebuilds the Learner from that checkpoint (halving
// the batch size on out-of-memory) and runs the same policy again from there: fastai's
// `fit(start_epoch=...)` with the Recorder, counters and schedule picked up where they were.
//
// "Continuous history" after a recovery: the fit's epoch rows are 0..n-1 once each, and the
// per-batch records the UI keeps are truncated back to the checkpoint (`trainRecovered`), so
// the training iterations it holds are 1..N once each, in order; the batches after the last
// checkpoint are trained (and reported) again.
import { startEngine } from '../engine/device';
import { registerStudioKernels } from '../engine/kernels/register';
import { History, historyOf, setHistory } from '../learn/history';
import type { Callback, Learner } from '../learn/learner';
import {
  disposeLearner,
  makeData,
  sessionOf,
  setupLearner,
  type FitControl,
  type LearnerHost,
} from '../learn/session';
import { fitPolicy, lrFindCmd } from '../learn/fitCommand';
import { loadCpuWeights, type Snapshot } from '../learn/snapshot';
import type { EnsembleMember } from '../learn/ensemble';
import type {
  FitArgs,
  FitResult,
  LrFindArgs,
  LrFindCmdResult,
  RecoveryEvent,
  TrainEvent,
} from '../shared/protocol';
import {
  Attempt,
  CheckpointCallback,
  OomWatch,
  ResumeCallback,
  type Checkpoint,
} from './checkpoint';
import { DeviceLostError, isOutOfMemory, LOST_RE, type DebugFaults } from './faults';

/** What a fit needs of the worker state: the Learner session, the stop/pause flags, armed test
 * faults and the lost-device count. */
export interface FitHost extends LearnerHost {
  control: FitControl;
  faults: DebugFaults;
  deviceLost: number;
}

/** lr_find, with fit's out-of-memory recovery: a sweep that runs out of GPU memory has had its
 * weights and optimizer state put back (LRFinder.after_fit runs after a fault), so it is just
 * run again at half the batch size, which the session then keeps (as fit's recovery does). */
export async function lrFind(
  h: FitHost,
  args: LrFindArgs,
  emit: (e: RecoveryEvent) => void,
): Promise<LrFindCmdResult> {
  const watch = new OomWatch(new Set(), h.faults);
  for (;;) {
    const s = sessionOf(h);
    try {
      return await lrFindCmd(h, args, [watch]);
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      if (s.setup.bs <= 1)
        throw new Error(
          `lr_find: out of GPU memory even at batch size 1; the weights are as before lr_find (${(err as Error).message})`,
          { cause: err },
        );
      const bs = Math.floor(s.setup.bs / 2);
      emit({ type: 'status', message: `lr_find: out of GPU memory at bs ${s.setup.bs}, retrying at bs ${bs}` }); // prettier-ignore
      s.setup.bs = bs;
      s.learn.data = makeData(h, s.setup, s.learn.model);
    }
  }
}

/** A fit on the session's Learner; `onEpochEnd` runs after each epoch's checkpoint (autosave). */
export async function fit(
  h: FitHost,
  args: FitArgs,
  emit: (e: TrainEvent | RecoveryEvent) => void,
  onEpochEnd: (snap: Snapshot) => Promise<unknown> = async () => undefined,
): Promise<FitResult> {
  // A lost GPU device or out-of-memory batch size: rebuild from the last CPU checkpoint and
  // carry on (below).
  if (args.policy === 'fine_tune' && typeof args.lr === 'object')
    throw new Error(
      'fine_tune takes one base LR (fastai: learn.fine_tune(epochs, base_lr)) and makes its own ' +
        'slice(base_lr/200, base_lr/2) for the unfrozen phase; give a number, or unfreeze and use ' +
        'fit_one_cycle with a slice',
    );
  const t0 = performance.now();
  const first = sessionOf(h);
  const recovery = new FitRecovery(emit, first.setup.bs, {
    faults: h.faults,
    lostCount: () => h.deviceLost,
    onEpochEnd,
  });
  let kept: EnsembleMember[] = [];
  for (;;) {
    try {
      // (Not on precomputed features: the head Learner's weights are not the session's.)
      const cbs = args.precompute ? [] : recovery.callbacks();
      const r = await fitPolicy(h, args, (e) => recovery.emit(e, emit), cbs, kept);
      recovery.finish(historyOf(sessionOf(h).learn));
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    } catch (err) {
      const setup = h.learner?.setup;
      if (!setup) throw err;
      kept = h.learner?.snapshots ?? []; // the snapshot ensemble so far: the rebuilt fit resumes it
      await recovery.recover(err, {
        dispose: () => disposeLearner(h),
        rebuild: async (bs, history) => {
          await setupLearner(h, { ...setup, bs });
          const { learn } = sessionOf(h);
          setHistory(learn, history);
          return learn;
        },
      });
    }
  }
}

/** What a fit's recovery needs from the worker: its faults, lost devices, the epoch-end hook. */
export interface RecoveryEnv {
  faults: DebugFaults;
  /** How many GPU devices were lost so far: a change during a step means this one was. */
  lostCount(): number;
  /** Runs at every epoch end with the checkpoint's snapshot (the worker's IndexedDB autosave). */
  onEpochEnd(snapshot: Snapshot): Promise<unknown>;
}

// ************* the recovery loop *************

export interface RecoveryHooks {
  /** Throws away the Learner (its tensors may live on a dead device). */
  dispose(): void;
  /** Makes a new Learner with the same setup at batch size `bs`, with this history. */
  rebuild(bs: number, history: History): Promise<Learner>;
}

export class FitRecovery {
  ckpt?: Checkpoint;
  checkedBs = new Set<number>();
  emitted = { batches: 0, epochs: 0 };
  recoveries: { cause: 'deviceLost' | 'oom'; epoch: number; bs: number }[] = [];
  /** Index of this command's record in the session history's `fits` (first attempt). */
  fitRecord = -1;
  private attempt?: Attempt;

  constructor(
    private emitOut: (e: RecoveryEvent) => void,
    public bs: number,
    public env: RecoveryEnv,
    public maxRecoveries = 6,
  ) {}

  private warned = new Set<string>();
  warnOnce(message: string) {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.emitOut({ type: 'status', message });
  }

  /** Wraps the fit's emitter to count what the UI has been sent. */
  emit = <E extends { type: string }>(e: E, send: (e: E) => void) => {
    if (e.type === 'trainBatch') this.emitted.batches++;
    else if (e.type === 'trainEpoch') this.emitted.epochs++;
    send(e);
  };

  /** The callbacks of one attempt (fresh each time the policy is run). */
  callbacks(): Callback[] {
    this.attempt = new Attempt(this, this.ckpt, this.env.lostCount());
    return [new ResumeCallback(this.attempt), new CheckpointCallback(this.attempt)];
  }

  /** Called with a fit's exception: recovers and returns the new Learner, or rethrows. */
  async recover(err: unknown, hooks: RecoveryHooks): Promise<Learner> {
    const msg = err instanceof Error ? err.message : String(err);
    const lost =
      err instanceof DeviceLostError ||
      this.env.lostCount() !== this.attempt?.lostAtStart ||
      LOST_RE.test(msg);
    const oom = !lost && isOutOfMemory(err);
    if ((!lost && !oom) || !this.ckpt || this.recoveries.length >= this.maxRecoveries) throw err;
    if (oom && this.bs <= 1) throw err;
    const c = this.ckpt;
    if (lost) {
      this.emitOut({
        type: 'status',
        message: `GPU device lost (${msg}): making a new device and resuming from the checkpoint at epoch ${c.nextEpoch + 1}`,
      });
      try {
        hooks.dispose();
      } catch {
        // Tensors of a dead device: nothing to free on the GPU any more.
      }
      // tfjs's webgpu backend on a new device; registering is a no-op once done (the kernel
      // registry outlives a backend).
      registerStudioKernels((await startEngine()).info);
      this.checkedBs.clear();
    } else {
      const from = this.bs;
      this.bs = Math.max(1, Math.floor(this.bs / 2));
      this.emitOut({
        type: 'status',
        message: `out of GPU memory at bs ${from}, retrying at bs ${this.bs}`,
      });
      hooks.dispose();
    }
    const learn = await hooks.rebuild(this.bs, History.from(c.snapshot.history));
    loadCpuWeights(learn.model, c.snapshot.weights);
    learn.model.frozenGroups = c.frozenGroups;
    const cause = lost ? 'deviceLost' : 'oom';
    this.recoveries.push({ cause, epoch: c.nextEpoch, bs: this.bs });
    this.emitted = { ...c.emitted };
    this.emitOut({
      type: 'trainRecovered',
      cause,
      keepBatches: c.emitted.batches,
      keepEpochs: c.emitted.epochs,
      epoch: c.nextEpoch,
      bs: this.bs,
    });
    if (lost)
      this.emitOut({
        type: 'status',
        message: `recovered from GPU device loss: new device ready, training resumes at epoch ${c.nextEpoch + 1}`,
      });
    return learn;
  }

  /** After a recovered fit: each retry opened its own record in the session history; fold
   * them into the first, so the history shows one fit with continuous iterations. */
  finish(history: History) {
    const f = this.fitRecord;
    if (!this.recoveries.length || f < 0 || f >= history.fits.length) return;
    for (let j = f + 1; j < history.fits.length; j++) {
      history.fits[f].epochsDone += history.fits[j].epochsDone;
      for (const b of history.batches) if (b.fit === j) b.fit = f;
      for (const e of history.epochs) if (e.fit === j) e.fit = f;
    }
    history.fits.splice(f + 1);
  }
}
