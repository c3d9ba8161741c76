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
import * as tf from '@tensorflow/tfjs';
import { currentEngine, startEngine } from '../engine/device';
import { setStudioKernels, studioKernelsEnabled } from '../engine/kernels/register';
import { Recorder } from './callbacks';
import { History, historyOf } from './history';
import { Callback, CancelFitException, type Learner } from './learner';
import { loadCpuWeights, restoreOpt, takeSnapshot, type Snapshot } from './snapshot';
import type { DebugFaultArgs, EpochRow, MemStats, RecoveryEvent } from '../shared/protocol';

export class DeviceLostError extends Error {}
export class GpuOomError extends Error {
  constructor(
    public bs: number,
    detail: string,
  ) {
    super(`out of GPU memory at batch size ${bs}: ${detail}`);
  }
}

export interface RecorderState {
  lrs: number[];
  moms: number[];
  losses: number[];
  values: EpochRow[];
  smooth: { count: number; val: number };
}

/** Everything needed to carry a fit on from the end of an epoch on a fresh device. */
export interface Checkpoint {
  /** Which fit of the command (fine_tune runs two) and how many of its epochs are done. */
  fitIndex: number;
  nextEpoch: number;
  trainIter: number;
  /** Learner.dataPasses at the checkpoint: the resumed epoch draws the same batches. */
  dataPasses: number;
  frozenGroups: number;
  /** Weights, optimizer state and session history (src/learn/history.ts) on the CPU. */
  snapshot: Snapshot;
  recorder: RecorderState;
  /** Epoch rows of the command's fits before `fitIndex`. */
  doneFits: EpochRow[][];
  /** Batch and epoch records the UI had been sent when the checkpoint was taken. */
  emitted: { batches: number; epochs: number };
}

function recorderState(r: Recorder): RecorderState {
  return {
    lrs: [...r.lrs],
    moms: [...r.moms],
    losses: [...r.losses],
    values: r.values.map((v) => ({ ...v, metrics: { ...v.metrics } })),
    smooth: { count: r.smooth.count, val: r.smooth.val },
  };
}
function restoreRecorder(r: Recorder, s: RecorderState) {
  [r.lrs, r.moms, r.losses] = [[...s.lrs], [...s.moms], [...s.losses]];
  r.values = s.values.map((v) => ({ ...v, metrics: { ...v.metrics } }));
  [r.smooth.count, r.smooth.val] = [s.smooth.count, s.smooth.val];
}

async function takeCheckpoint(
  learn: Learner,
  fitIndex: number,
  nextEpoch: number,
  doneFits: EpochRow[][],
  emitted: Checkpoint['emitted'],
): Promise<Checkpoint> {
  return {
    fitIndex,
    nextEpoch,
    trainIter: learn.trainIter,
    dataPasses: learn.dataPasses,
    frozenGroups: learn.model.frozenGroups,
    snapshot: await takeSnapshot(learn),
    recorder: recorderState(learn.cb(Recorder)!),
    doneFits: doneFits.map((rows) => rows.map((r) => ({ ...r }))),
    emitted: { ...emitted },
  };
}

// ************* debug faults (tests only) *************

/** Armed by the worker's debug command (kept in src/worker/state.ts); inert otherwise. The
 * device is destroyed after `destroyAfterIter` (one-shot); the next `oom.times` training steps
 * with a batch above `oom.aboveBs` fail as out of memory. */
export type DebugFaults = DebugFaultArgs;

export function armDebugFault(faults: DebugFaults, a: DebugFaultArgs): DebugFaultArgs {
  if (a.destroyAfterIter !== undefined) faults.destroyAfterIter = a.destroyAfterIter;
  if (a.oom) faults.oom = { ...a.oom };
  return { destroyAfterIter: faults.destroyAfterIter, oom: faults.oom };
}

/** What a fit's recovery needs from the worker: its faults, lost devices, the epoch-end hook. */
export interface RecoveryEnv {
  faults: DebugFaults;
  /** How many GPU devices were lost so far: a change during a step means this one was. */
  lostCount(): number;
  /** Runs at every epoch end with the checkpoint's snapshot (the worker's IndexedDB autosave). */
  onEpochEnd(snapshot: Snapshot): Promise<unknown>;
}

export function memStats(): MemStats {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesInGPU?: number;
    numBytesAllocatedInGPU?: number;
  };
  const heap = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    numBytesInGPU: m.numBytesInGPU,
    numBytesInGPUAllocated: m.numBytesAllocatedInGPU,
    jsHeapUsed: heap?.usedJSHeapSize,
  };
}

const OOM_RE = /out of memory|out-of-memory|\boom\b|failed to allocate|allocation failed/i;
const LOST_RE = /device (is |was )?lost|device.*destroyed|instance dropped/i;

// ************* callbacks *************

/** Per-attempt state shared by the resume and checkpoint callbacks. */
class Attempt {
  fitIndex = -1;
  doneFits: EpochRow[][] = [];
  constructor(
    public recovery: FitRecovery,
    public ckpt: Checkpoint | undefined,
    public lostAtStart: number,
  ) {}
}

/** Restores a checkpoint at the start of the fit it belongs to; skips earlier fits whole. */
class ResumeCallback extends Callback {
  order = 51; // after Recorder.before_fit (which resets it), before the schedulers
  constructor(public a: Attempt) {
    super();
  }
  before_fit() {
    const a = this.a;
    a.fitIndex++;
    const c = a.ckpt;
    if (!c || a.fitIndex > c.fitIndex) return;
    const rec = this.learn.cb(Recorder)!;
    if (a.fitIndex < c.fitIndex) {
      // Done before the fault: its rows come back, nothing is trained.
      rec.values = c.doneFits[a.fitIndex].map((r) => ({ ...r }));
      throw new CancelFitException();
    }
    restoreRecorder(rec, c.recorder);
    Object.assign(this.learn, {
      trainIter: c.trainIter,
      dataPasses: c.dataPasses,
      epoch: c.nextEpoch,
      startEpoch: c.nextEpoch,
    });
    if (c.snapshot.opt) restoreOpt(this.learn, c.snapshot.opt);
  }
  after_fit() {
    this.learn.startEpoch = 0;
  }
}

/** Takes the CPU checkpoints, watches for a lost device, checks new batch sizes for OOM. */
class CheckpointCallback extends Callback {
  order = 75; // after EmitCallback: the checkpoint counts the records the UI already has
  private scope = false;
  constructor(public a: Attempt) {
    super();
  }
  async before_fit() {
    const a = this.a;
    // The state before any training: what a fault in the first epoch goes back to.
    if (a.recovery.fitRecord < 0) a.recovery.fitRecord = historyOf(this.learn).fits.length - 1;
    if (!a.recovery.ckpt)
      a.recovery.ckpt = await takeCheckpoint(this.learn, a.fitIndex, 0, a.doneFits, {
        ...a.recovery.emitted,
      });
  }
  before_batch() {
    if (this.a.recovery.env.lostCount() !== this.a.lostAtStart)
      throw new DeviceLostError('GPU device lost');
    const l = this.learn;
    if (!l.training) return;
    const bs = l.x!.shape[0];
    const faults = this.a.recovery.env.faults;
    const oom = faults.oom;
    if (oom && oom.times > 0 && bs > oom.aboveBs) {
      oom.times--;
      throw new GpuOomError(bs, 'simulated (debugOom)');
    }
    // The first step at a batch size runs inside an out-of-memory error scope.
    const dev = currentEngine()?.device;
    if (dev && !this.a.recovery.checkedBs.has(bs)) {
      dev.pushErrorScope('out-of-memory');
      this.scope = true;
    }
  }
  async after_batch() {
    const l = this.learn;
    if (this.scope) {
      this.scope = false;
      const err = await currentEngine()?.device.popErrorScope();
      const bs = l.x!.shape[0];
      if (err) throw new GpuOomError(bs, err.message);
      this.a.recovery.checkedBs.add(bs);
    }
    const faults = this.a.recovery.env.faults;
    if (l.training && faults.destroyAfterIter === l.trainIter) {
      faults.destroyAfterIter = undefined;
      currentEngine()?.device.destroy();
    }
  }
  async after_epoch() {
    const a = this.a;
    a.recovery.ckpt = await takeCheckpoint(
      this.learn,
      a.fitIndex,
      this.learn.epoch + 1,
      a.doneFits,
      a.recovery.emitted,
    );
    try {
      await a.recovery.env.onEpochEnd(a.recovery.ckpt.snapshot);
    } catch (e) {
      a.recovery.warnOnce(`autosave failed: ${(e as Error).message}`);
    }
  }
  after_fit() {
    this.a.doneFits.push(this.learn.cb(Recorder)!.values.map((r) => ({ ...r })));
  }
  /** An error scope left open by a failed step is closed before the next attempt. */
  async closeScope() {
    if (!this.scope) return;
    this.scope = false;
    await currentEngine()
      ?.device.popErrorScope()
      .catch(() => undefined);
  }
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
  private checkpointCb?: CheckpointCallback;

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
    this.checkpointCb = new CheckpointCallback(this.attempt);
    return [new ResumeCallback(this.attempt), this.checkpointCb];
  }

  /** Called with a fit's exception: recovers and returns the new Learner, or rethrows. */
  async recover(err: unknown, hooks: RecoveryHooks): Promise<Learner> {
    const msg = err instanceof Error ? err.message : String(err);
    const lost =
      err instanceof DeviceLostError ||
      this.env.lostCount() !== this.attempt?.lostAtStart ||
      LOST_RE.test(msg);
    const oom = !lost && (err instanceof GpuOomError || OOM_RE.test(msg));
    if ((!lost && !oom) || !this.ckpt || this.recoveries.length >= this.maxRecoveries) throw err;
    if (oom && this.bs <= 1) throw err;
    await this.checkpointCb?.closeScope();
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
      const studio = studioKernelsEnabled();
      await startEngine(); // re-registers tfjs's webgpu backend (and our kernels) on a new device
      setStudioKernels(studio);
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
