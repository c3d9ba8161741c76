// Benchmark (not a test): how fast the data pipeline delivers augmented batches, against how long
// a training step takes to consume one at the same size. The pipeline must never be the bottleneck.
import * as tf from '@tensorflow/tfjs';
import { normalizeInput } from '../../data/normalize';
import type { Model } from '../../models/model';
import { torchvisionResnet } from '../../models/resnet';
import { tinyCnn } from '../../models/tinyCnn';
import { dataLoaders, type DataState } from '../../data/importer';
import type { DataBenchArgs, DataBenchResult } from '../../shared/protocol';

export async function benchPipeline(d: DataState, a: DataBenchArgs): Promise<DataBenchResult> {
  const dls = dataLoaders(d, {
    itemTfm: { kind: 'randomResizedCrop', size: a.size },
    aug: 'side-on',
    seed: 1,
  });
  if (dls.train.nBatches(a.bs) < a.batches + 1)
    throw new Error(`need ${a.batches + 1} batches of ${a.bs}: import a bigger folder`);
  // Pipeline: item transforms, upload, GPU augmentation, and a read back so the GPU work is really done.
  const it = dls.train.batches(a.bs, 0);
  const first = (await it.next()).value!; // warm-up: shader compilation
  await first.x.data();
  tf.dispose([first.x, first.y]);
  const t0 = performance.now();
  for (let i = 0; i < a.batches; i++) {
    const { x, y } = (await it.next()).value!;
    await x.data();
    tf.dispose([x, y]);
  }
  const pipelineMs = (performance.now() - t0) / a.batches;
  await it.return(undefined);

  const n = dls.vocab.length;
  if (a.trainSteps === 0) return result(a, pipelineMs, NaN);
  const model: Model = a.arch === 'tiny' ? tinyCnn(n, 0) : torchvisionResnet(a.arch, n, 0);
  const opt = tf.train.adam(1e-3);
  const vars = [...model.params.values()];
  const batch = (await dls.train.batches(a.bs, 1).next()).value!;
  const step = async () => {
    const loss = opt.minimize(
      () => {
        const logits = model.forward(normalizeInput(batch.x, model.input, tf), { training: true });
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(batch.y as tf.Tensor1D, n),
          logits,
        ) as tf.Scalar;
      },
      true,
      vars,
    )!;
    await loss.data();
    loss.dispose();
  };
  await step(); // warm-up
  const t1 = performance.now();
  for (let i = 0; i < a.trainSteps; i++) await step();
  const trainStepMs = (performance.now() - t1) / a.trainSteps;
  tf.dispose([batch.x, batch.y]);
  opt.dispose();
  model.dispose();
  return result(a, pipelineMs, trainStepMs);
}

const result = (a: DataBenchArgs, pipelineMs: number, trainStepMs: number): DataBenchResult => ({
  size: a.size,
  bs: a.bs,
  arch: a.arch,
  backend: tf.getBackend(),
  pipelineMsPerBatch: pipelineMs,
  pipelineBatchesPerSecond: 1000 / pipelineMs,
  trainStepMs,
  ratio: trainStepMs / pipelineMs,
});
