// The one-click demo: the Learner trains the tiny BN'd CNN on procedurally drawn shapes with
// fit_one_cycle, in the worker. Emits the foundation's `batch` events for the demo chart.
import { DEMO_CLASSES } from '../shared/demoShapes';
import { InterruptCallback, Recorder } from './callbacks';
import { demoBatches } from './demoData';
import { tinyBnCnn } from './demoNet';
import { EmitCallback } from './emit';
import { fitOneCycle, learner } from './fit';
import { accuracy } from './metrics';
import type { DemoTrainArgs, DemoTrainResult, WorkerEvent } from '../shared/protocol';

export async function trainDemo(
  args: DemoTrainArgs,
  emit: (e: WorkerEvent) => void,
  shouldStop: () => boolean,
): Promise<DemoTrainResult> {
  const t0 = performance.now();
  // `steps` batches in all: three one-cycle epochs when they divide evenly, else one.
  const epochs = args.steps % 3 === 0 ? 3 : 1;
  const data = demoBatches({
    size: args.size,
    bs: args.batchSize,
    nTrain: args.steps / epochs,
    nValid: 4,
    seed: args.seed,
  });
  const learn = learner(tinyBnCnn(DEMO_CLASSES.length, args.seed), data, { metrics: [accuracy] });
  const losses: number[] = [];
  const interrupt = new InterruptCallback(shouldStop);
  const bridge = new EmitCallback(
    (r) => {
      losses.push(r.loss);
      emit({ type: 'batch', step: r.iter + 1, of: r.of, loss: r.loss, lr: r.lr });
    },
    () => {},
  );
  try {
    await fitOneCycle(learn, epochs, args.lr, { cbs: [interrupt, bridge] });
    const rows = learn.cb(Recorder)!.values;
    const acc = rows.length ? rows[rows.length - 1].metrics.accuracy : NaN;
    return {
      losses,
      accuracy: acc,
      stopped: interrupt.stopped,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    learn.opt?.dispose();
    learn.model.dispose();
  }
}
