// The benchmark's training steps: one ResNet + SGD step timed with our kernels, stock
// tfjs-webgpu, tfjs-webgl and tfjs-cpu, and tf.profile of one step (dispatches per kernel).
import * as tf from '@tensorflow/tfjs';
import { torchvisionResnet } from '../../models/resnet';
import { setStudioKernels, studioAutotuner } from '../../engine/kernels/register';
import type { ProfileRow, TrainStepRow } from '../../shared/protocol';

/** Mean ms per call after one warm-up call (shader compile), at least one timed call. */
export async function timeMs(fn: () => tf.Tensor, minMs: number, maxReps = 10): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  let reps = 0;
  do {
    const t = fn();
    await t.data();
    t.dispose();
    reps++;
  } while (performance.now() - t0 < minMs && reps < maxReps);
  return (performance.now() - t0) / reps;
}

export const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);

/** A ResNet + SGD training step (forward, softmax CE, backward, update) on the current backend. */
function makeStep(arch: string, size: number, bs: number) {
  const model = torchvisionResnet(arch, 10, 0);
  const vars = [...model.params.values()];
  const x = rand([bs, size, size, 3]) as tf.Tensor4D;
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: bs }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  );
  const opt = tf.train.sgd(1e-3);
  const step = () =>
    opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true })) as tf.Scalar,
      true,
      vars,
    )!;
  const dispose = () => {
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  };
  return { step, dispose };
}

/** Warm-up step + one timed step on another tfjs backend (webgl, cpu); null + why if unavailable. */
async function stepOn(backendName: string, arch: string, size: number, bs: number) {
  const before = tf.getBackend();
  try {
    if (!(await tf.setBackend(backendName)))
      return { ms: null, error: `${backendName}: no backend` };
    const s = makeStep(arch, size, bs);
    try {
      return { ms: await timeMs(s.step, 0, 1), error: undefined };
    } finally {
      s.dispose();
    }
  } catch (e) {
    return { ms: null, error: `${backendName}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await tf.setBackend(before);
  }
}

/** One training step: ours (autotuned) vs stock webgpu vs tfjs-webgl vs tfjs-cpu, same session. */
export async function trainStep(
  arch: string,
  size: number,
  bs: number,
  others: boolean,
): Promise<TrainStepRow> {
  const s = makeStep(arch, size, bs);
  let msOurs: number;
  let msStockWebgpu: number;
  try {
    setStudioKernels(true);
    // The first step queues every new shape class for autotuning; let it finish, then time.
    const warm = s.step();
    await warm.data();
    warm.dispose();
    await studioAutotuner().idle();
    msOurs = await timeMs(s.step, 0, 1);
    setStudioKernels(false);
    msStockWebgpu = await timeMs(s.step, 0, 1);
    setStudioKernels(true);
  } finally {
    s.dispose();
  }
  const row: TrainStepRow = { arch, size, bs, msOurs, msStockWebgpu, errors: [] };
  if (others) {
    const gl = await stepOn('webgl', arch, size, bs);
    const cpu = await stepOn('cpu', arch, size, bs);
    row.msWebgl = gl.ms;
    row.msCpu = cpu.ms;
    row.errors = [gl.error, cpu.error].filter((e): e is string => Boolean(e));
  }
  return row;
}

/** tf.profile of one training step: calls (and GPU ms where measurable) per tfjs kernel. */
export async function profileStep(arch: string, size: number, bs: number) {
  const { step, dispose } = makeStep(arch, size, bs);
  try {
    const warm = step();
    await warm.data();
    warm.dispose();
    await studioAutotuner().idle(); // the warm step queued new shape classes: tune them before profiling
    const t0 = performance.now();
    let loss: tf.Scalar | undefined;
    const info = await tf.profile(() => {
      loss = step();
    });
    await loss!.data();
    loss!.dispose();
    const wallMs = performance.now() - t0;
    const group = (key: (k: (typeof info.kernels)[number]) => string) => {
      const by = new Map<string, ProfileRow>();
      for (const k of info.kernels) {
        const r = by.get(key(k)) ?? { kernel: key(k), calls: 0, kernelMs: 0 };
        r.calls++;
        r.kernelMs += Number(k.kernelTimeMs) || 0;
        by.set(key(k), r);
      }
      return [...by.values()].sort((a, b) => b.calls - a.calls);
    };
    const rows = group((k) => k.name);
    const byShape = group(
      (k) => `${k.name} ${k.inputShapes.map((s) => (s ? s.join('x') : '-')).join(' ')}`,
    );
    return { arch, size, bs, wallMs, rows, byShape };
  } finally {
    dispose();
  }
}
