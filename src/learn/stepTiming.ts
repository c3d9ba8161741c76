// How long the set-up learner takes per batch, measured before a run starts (the Train panel's
// estimate of lr_find + fine_tune). The Learner's own loop runs each phase (frozen training,
// validation, unfrozen training) for a warm-up batch and a timed one; then the weights, the
// optimizer state, the freeze state and the data passes go back to what they were, as lr_find
// leaves them.
import { disposeWeights, loadWeights, saveWeights } from './callbacks';
import { EngineValidation } from './engineValidation';
import { Callback, CancelTrainException, CancelValidException, type Learner } from './learner';
import type { EstimateStepArgs, StepTiming } from '../shared/protocol';

/** Batches per phase: the first compiles pipelines and tunes kernels, the last is timed. */
const PER_PHASE = 2;

/** Wall ms of each batch from the previous one's end (so data loading counts), per phase. */
class StepClock extends Callback {
  order = 100;
  train: number[] = [];
  valid: number[] = [];
  private t = 0;
  constructor(private validate: boolean) {
    super();
  }
  before_train() {
    this.t = performance.now();
  }
  before_validate() {
    if (!this.validate) throw new CancelValidException();
    this.t = performance.now();
  }
  after_batch() {
    const now = performance.now();
    const times = this.learn.training ? this.train : this.valid;
    times.push(now - this.t);
    this.t = now;
    if (times.length < PER_PHASE) return;
    throw this.learn.training ? new CancelTrainException() : new CancelValidException();
  }
}

/** One short fit; validation on the engine a real fit validates on (engine/cpuEngine). */
async function clock(learn: Learner, validate: boolean) {
  const c = new StepClock(validate);
  await learn.fit(1, { cbs: [new EngineValidation(), c] });
  return c;
}

/** The timed batch: the last one, or the warm-up itself when the phase has a single batch. */
const steady = (t: number[]) => t[t.length - 1] ?? 0;

/** Times the learner's batches, frozen (fastai freeze: what lr_find and fine_tune's first
 * epoch train) and unfrozen, and a validation batch; leaves the learner as it found it. */
export async function timeSteps(learn: Learner, args: EstimateStepArgs = {}): Promise<StepTiming> {
  const { nTrain, nValid } = learn.data;
  if (nTrain < 1)
    throw new Error('estimate: no full training batch (fewer training images than the batch size)');
  const model = learn.model;
  const saved = {
    weights: saveWeights(model),
    opt: learn.opt?.snapshot(),
    frozenGroups: model.frozenGroups,
    dataPasses: learn.dataPasses,
  };
  try {
    learn.freeze();
    const freezable = model.frozenGroups > 0;
    const frozen = await clock(learn, true);
    let unfrozenMs = freezable ? undefined : steady(frozen.train);
    if (freezable && args.unfrozen !== false) {
      learn.unfreeze();
      unfrozenMs = steady((await clock(learn, false)).train);
    }
    return {
      frozenMs: steady(frozen.train),
      unfrozenMs,
      validMs: steady(frozen.valid),
      warmupMs: frozen.train[0],
      nTrain,
      nValid,
    };
  } finally {
    learn.freezeTo(saved.frozenGroups);
    loadWeights(model, saved.weights);
    disposeWeights(saved.weights);
    if (saved.opt) learn.opt!.restore(saved.opt);
    else {
      learn.opt?.dispose();
      learn.opt = undefined;
    }
    learn.dataPasses = saved.dataPasses;
  }
}
