// Benchmark (not a test): Studio kernels vs stock tfjs-webgpu in one session on one adapter,
// toggling the switch between measurements. GFLOP/s counts useful work only (2·M·N·K).
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MIN_FLOPS } from '../../engine/kernels/autotune';
import { referenceMatMul } from '../../engine/kernels/referenceMatmul';
import {
  setStudioKernels,
  studioAutotuner,
  studioKernelsEnabled,
} from '../../engine/kernels/register';
import { profileStep, rand, timeMs, trainStep } from './benchTrain';
import type {
  BenchArgs,
  BenchResult,
  KernelBenchRow,
  ReferenceRow,
  TrainStepRow,
} from '../../shared/protocol';

/** Times `fn` with our kernels and with stock; returns GFLOP/s for both. */
async function oursVsStock(flops: number, fn: () => tf.Tensor, minMs: number) {
  setStudioKernels(true);
  const ours = await timeMs(fn, minMs);
  setStudioKernels(false);
  const stock = await timeMs(fn, minMs);
  setStudioKernels(true);
  return { gflopsOurs: flops / ours / 1e6, gflopsStock: flops / stock / 1e6 };
}

/** ResNet-18 convs at 64 px input: the RGB stem, the 3x3s of each stage (16, 8, 4, 2 px), one stride 2. */
function convShapes(bs: number) {
  return [
    { name: 'stem 7x7 s2', x: [bs, 64, 64, 3], f: [7, 7, 3, 64], s: 2 },
    { name: 'layer1 3x3', x: [bs, 16, 16, 64], f: [3, 3, 64, 64], s: 1 },
    { name: 'layer2 3x3 s2', x: [bs, 16, 16, 64], f: [3, 3, 64, 128], s: 2 },
    { name: 'layer2 3x3', x: [bs, 8, 8, 128], f: [3, 3, 128, 128], s: 1 },
    { name: 'layer3 3x3', x: [bs, 4, 4, 256], f: [3, 3, 256, 256], s: 1 },
    { name: 'layer4 3x3', x: [bs, 2, 2, 512], f: [3, 3, 512, 512], s: 1 },
  ];
}

export async function benchKernels(args: BenchArgs): Promise<BenchResult> {
  const t0 = performance.now();
  const wasOn = studioKernelsEnabled();
  const minMs = args.quick ? 150 : 400;
  const kernels: KernelBenchRow[] = [];
  const reference: ReferenceRow[] = [];
  const want = (section: string) =>
    args.only ? args.only.split(',').includes(section) : section !== 'none';
  const tuner = studioAutotuner();
  tuner.setEnabled(!args.noAutotune, 0); // the bench tunes every shape, however small
  const budget = tuner.setBudget(Infinity); // and measures the tuned engine
  try {
    if (want('kernels'))
      for (const c of convShapes(args.quick ? 2 : 8)) {
        const x = rand(c.x) as tf.Tensor4D;
        const w = rand(c.f) as tf.Tensor4D;
        const y = tf.conv2d(x, w, c.s, 'same');
        const [oh, ow] = [y.shape[1], y.shape[2]];
        const flops = 2 * c.x[0] * oh * ow * c.f[3] * c.f[0] * c.f[1] * c.f[2];
        const shape = `x ${c.x.join('x')} f ${c.f.join('x')} s${c.s}`;
        const attrs = { strides: c.s, pad: 'same', dataFormat: 'NHWC' };
        const rows: [string, () => tf.Tensor][] = [
          ['conv2d fwd', () => tf.conv2d(x, w, c.s, 'same')],
          [
            'conv2d dgrad',
            () =>
              tf
                .engine()
                .runKernel(
                  'Conv2DBackpropInput',
                  { dy: y, filter: w },
                  { ...attrs, inputShape: c.x },
                ) as tf.Tensor,
          ],
          [
            'conv2d wgrad',
            () =>
              tf
                .engine()
                .runKernel(
                  'Conv2DBackpropFilter',
                  { x, dy: y },
                  { ...attrs, filterShape: c.f },
                ) as tf.Tensor,
          ],
        ];
        for (const [, fn] of rows) await tuneFirst(fn);
        for (const [op, fn] of rows)
          kernels.push({
            name: `${op} ${c.name}`,
            shape,
            ...(await oursVsStock(flops, fn, minMs)),
          });
        tf.dispose([x, w, y]);
      }
    if (want('matmul'))
      for (const n of args.quick ? [256, 512] : [256, 512, 1024]) {
        const a = rand([n, n]);
        const b = rand([n, n]);
        await tuneFirst(() => tf.matMul(a, b));
        kernels.push({
          name: `matmul ${n}³`,
          shape: `${n}x${n}x${n}`,
          ...(await oursVsStock(2 * n ** 3, () => tf.matMul(a, b), minMs)),
        });
        const refMs = await timeMs(
          () => referenceMatMul(a as tf.Tensor2D, b as tf.Tensor2D),
          minMs,
        );
        const oursMs = await timeMs(() => tf.matMul(a, b), minMs);
        const flops = 2 * n ** 3;
        reference.push({
          n,
          gflopsReference: flops / refMs / 1e6,
          gflopsOurs: flops / oursMs / 1e6,
        });
        tf.dispose([a, b]);
      }
    const profile = args.profile
      ? await profileStep('resnet18', args.quick ? 32 : 64, args.quick ? 4 : 8)
      : undefined;
    const [size, bs] = args.quick ? [32, 4] : [64, 8];
    const trainSteps: TrainStepRow[] = [];
    if (want('train')) trainSteps.push(await trainStep('resnet18', size, bs, true));
    if (want('train50')) trainSteps.push(await trainStep('resnet50', size, bs, true));
    const matmulBestGflops = Math.max(
      ...kernels.filter((k) => k.name.startsWith('matmul')).map((k) => k.gflopsOurs),
    );
    return {
      kernels,
      matmulBestGflops,
      reference,
      referenceBestGflops: Math.max(...reference.map((r) => r.gflopsReference)),
      autotune: tuner.report(),
      trainSteps,
      profile,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    setStudioKernels(wasOn);
    tuner.setEnabled(true, DEFAULT_MIN_FLOPS);
    tuner.setBudget(budget);
  }
}

/** Runs `fn` once with our kernels (queueing its shape for autotuning) and waits for the tuner. */
async function tuneFirst(fn: () => tf.Tensor) {
  setStudioKernels(true);
  const t = fn();
  await t.data();
  t.dispose();
  await studioAutotuner().idle();
}
