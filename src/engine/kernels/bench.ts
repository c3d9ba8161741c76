// Benchmark (not a test): Studio kernels vs stock tfjs-webgpu in one session on one adapter,
// toggling the switch between measurements. GFLOP/s counts useful work only (2·M·N·K).
import * as tf from '@tensorflow/tfjs';
import { torchvisionResnet } from '../../models/resnet';
import { setStudioKernels, studioKernelsEnabled } from './register';

export interface BenchArgs {
  quick: boolean;
  /** Comma list of sections to run: kernels, matmul, train (default: all). */
  only?: string;
  /** Also profile one ResNet-18 training step with our kernels (dispatches per tfjs kernel). */
  profile?: boolean;
}

export interface ProfileRow {
  kernel: string;
  calls: number;
  /** GPU time from timestamp queries; 0 when the adapter has none (SwiftShader). */
  kernelMs: number;
}

export interface KernelBenchRow {
  name: string;
  shape: string;
  gflopsOurs: number;
  gflopsStock: number;
}

export interface TrainStepRow {
  arch: string;
  size: number;
  bs: number;
  msOurs: number;
  msStockWebgpu: number;
}

export interface BenchResult {
  kernels: KernelBenchRow[];
  /** The best GFLOP/s any of our matmul rows reached. */
  matmulBestGflops: number;
  trainSteps: TrainStepRow[];
  profile?: { arch: string; size: number; bs: number; wallMs: number; rows: ProfileRow[] };
  seconds: number;
}

/** Mean ms per call after one warm-up call (shader compile), at least one timed call. */
async function timeMs(fn: () => tf.Tensor, minMs: number, maxReps = 10): Promise<number> {
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

/** Times `fn` with our kernels and with stock; returns GFLOP/s for both. */
async function oursVsStock(flops: number, fn: () => tf.Tensor, minMs: number) {
  setStudioKernels(true);
  const ours = await timeMs(fn, minMs);
  setStudioKernels(false);
  const stock = await timeMs(fn, minMs);
  setStudioKernels(true);
  return { gflopsOurs: flops / ours / 1e6, gflopsStock: flops / stock / 1e6 };
}

const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);

/** ResNet-18 3x3 convs at 64 px input (stage spatial sizes 16, 8, 4, 2) and one stride-2 conv. */
function convShapes(bs: number) {
  return [
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
  const want = (section: string) => !args.only || args.only.split(',').includes(section);
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
        kernels.push({
          name: `matmul ${n}³`,
          shape: `${n}x${n}x${n}`,
          ...(await oursVsStock(2 * n ** 3, () => tf.matMul(a, b), minMs)),
        });
        tf.dispose([a, b]);
      }
    const profile = args.profile
      ? await profileStep('resnet18', args.quick ? 32 : 64, args.quick ? 4 : 8)
      : undefined;
    const trainSteps = want('train')
      ? [await trainStep('resnet18', args.quick ? 32 : 64, args.quick ? 4 : 8)]
      : [];
    const matmulBestGflops = Math.max(
      ...kernels.filter((k) => k.name.startsWith('matmul')).map((k) => k.gflopsOurs),
    );
    return {
      kernels,
      matmulBestGflops,
      trainSteps,
      profile,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    setStudioKernels(wasOn);
  }
}

/** One SGD training step (forward, softmax CE, backward, update) ours vs stock. */
async function trainStep(arch: string, size: number, bs: number): Promise<TrainStepRow> {
  const model = torchvisionResnet(arch, 10, 0);
  const vars = [...model.params.values()];
  const x = rand([bs, size, size, 3]) as tf.Tensor4D;
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: bs }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const opt = tf.train.sgd(1e-3);
  const step = () =>
    opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true })) as tf.Scalar,
      true,
      vars,
    )!;
  try {
    setStudioKernels(true);
    const msOurs = await timeMs(step, 0, 1);
    setStudioKernels(false);
    const msStockWebgpu = await timeMs(step, 0, 1);
    return { arch, size, bs, msOurs, msStockWebgpu };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}

/** tf.profile of one training step: calls (and GPU ms where measurable) per tfjs kernel. */
export async function profileStep(arch: string, size: number, bs: number) {
  const model = torchvisionResnet(arch, 10, 0);
  const vars = [...model.params.values()];
  const x = rand([bs, size, size, 3]) as tf.Tensor4D;
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: bs }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const opt = tf.train.sgd(1e-3);
  const step = () =>
    opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true })) as tf.Scalar,
      true,
      vars,
    )!;
  try {
    const warm = step();
    await warm.data();
    warm.dispose();
    const t0 = performance.now();
    let loss: tf.Scalar | undefined;
    const info = await tf.profile(() => {
      loss = step();
    });
    await loss!.data();
    loss!.dispose();
    const wallMs = performance.now() - t0;
    const by = new Map<string, ProfileRow>();
    for (const k of info.kernels) {
      const r = by.get(k.name) ?? { kernel: k.name, calls: 0, kernelMs: 0 };
      r.calls++;
      r.kernelMs += Number(k.kernelTimeMs) || 0;
      by.set(k.name, r);
    }
    const rows = [...by.values()].sort((a, b) => b.calls - a.calls);
    return { arch, size, bs, wallMs, rows };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}
