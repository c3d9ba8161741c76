// The fit's CPU checkpoints: the Learner's snapshot (src/learn/snapshot.ts) plus where the fit
// was (which fit of the command, epoch, iteration, Recorder, rows done, records the UI had), taken
// before training and at every epoch end; and the callbacks that take them and resume from one.
import { currentEngine } from '../engine/device';
import { Recorder } from '../learn/callbacks';
import { historyOf } from '../learn/history';
import { Callback, CancelFitException, type Learner } from '../learn/learner';
import { restoreOpt, takeSnapshot, type Snapshot } from '../learn/snapshot';
import type { EpochRow } from '../shared/protocol';
import { DeviceLostError, GpuOomError } from './faults';
import type { FitRecovery } from './recovery';

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

export async function takeCheckpoint(
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

// ************* callbacks *************

/** Per-attempt state shared by the resume and checkpoint callbacks. */
export class Attempt {
  fitIndex = -1;
  doneFits: EpochRow[][] = [];
  constructor(
    public recovery: FitRecovery,
    public ckpt: Checkpoint | undefined,
    public lostAtStart: number,
  ) {}
}

/** Restores a checkpoint at the start of the fit it belongs to; skips earlier fits whole. */
export class ResumeCallback extends Callback {
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

/** Out of GPU memory: WebGPU reports it asynchronously, so the first training step at each
 * batch size runs inside an 'out-of-memory' error scope (and the debug fault fires here). Fit
 * recovery and lr_find's (recovery.ts) both watch with it. */
export class OomWatch extends Callback {
  order = 75;
  private scope = false;
  constructor(
    public checkedBs: Set<number>,
    public faults: { oom?: { times: number; aboveBs: number } },
  ) {
    super();
  }
  before_batch() {
    const l = this.learn;
    if (!l.training) return;
    const bs = l.x!.shape[0];
    const oom = this.faults.oom;
    if (oom && oom.times > 0 && bs > oom.aboveBs) {
      oom.times--;
      throw new GpuOomError(bs, 'simulated (debugOom)');
    }
    const dev = currentEngine()?.device;
    if (dev && !this.checkedBs.has(bs)) {
      dev.pushErrorScope('out-of-memory');
      this.scope = true;
    }
  }
  async after_batch() {
    if (!this.scope) return;
    this.scope = false;
    const err = await currentEngine()?.device.popErrorScope();
    const bs = this.learn.x!.shape[0];
    if (err) throw new GpuOomError(bs, err.message);
    this.checkedBs.add(bs);
  }
  /** A scope left open by a failed step is closed (after_fit runs after a fault too). */
  async after_fit() {
    if (!this.scope) return;
    this.scope = false;
    await currentEngine()
      ?.device.popErrorScope()
      .catch(() => undefined);
  }
}

/** Takes the CPU checkpoints, watches for a lost device, checks new batch sizes for OOM. */
export class CheckpointCallback extends OomWatch {
  order = 75; // after EmitCallback: the checkpoint counts the records the UI already has
  constructor(public a: Attempt) {
    super(a.recovery.checkedBs, a.recovery.env.faults);
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
    super.before_batch();
  }
  async after_batch() {
    await super.after_batch();
    const l = this.learn;
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
  async after_fit() {
    await super.after_fit();
    this.a.doneFits.push(this.learn.cb(Recorder)!.values.map((r) => ({ ...r })));
  }
}
