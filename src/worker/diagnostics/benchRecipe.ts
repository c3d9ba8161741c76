// Benchmark (not a test): one ResNet50 step of each phase fastai's recipe runs, on the bundled
// pretrained Keras body + fastai head as `train` builds it, each timed after a warm-up step and
// the kernel tuner's queue: `npm run cli -- bench-recipe [--sizes 128,224] [--bs 16] [--ref webgpu,webgl]`.
// Phases: frozen (lr_find and fine_tune's frozen epoch: fastai train_bn, the body's BN params
// train), frozen-nobn (the same without them: train_bn's price), unfrozen, valid (eval forward),
// precompute (body eval forward, on webgpu and on the engine the studio picks for it).
import * as tf from '@tensorflow/tfjs';
import { currentEngine } from '../../engine/device';
import { chooseEngine, runPhase, type PhaseSpec } from '../../engine/cpuEngine/choose';
import {
  setStudioKernels,
  studioAutotuner,
  studioKernelsEnabled,
} from '../../engine/kernels/register';
import { lossAndGrads } from '../../learn/grads';
import { CrossEntropyLossFlat, lossMean } from '../../learn/losses';
import { Adam, type Optimizer } from '../../learn/optimizer';
import { learnerModel } from '../../learn/pretrained';
import { isBatchNormKey, trainableKeys, type Model } from '../../models/model';
import type { BenchRecipeArgs, BenchRecipeResult, RecipeStepRow } from '../../shared/protocol';
import { benchKernels } from './benchKernels';
import { phaseFlops, type RecipePhase } from './recipeFlops';
import { countStep, profileRecipeStep } from './recipeProfile';

/** Classes of the benchmark's head (its cost is a rounding error next to the body's). */
const N_CLASSES = 10;
const REF_ENGINES = ['webgpu', 'webgl'];
type Engine = RecipeStepRow['engine'];

/** The learner's model and fastai Adam (no wd on BN params), on the current backend. */
async function makeRig() {
  const model = await learnerModel(
    { arch: 'resnet50-imagenet', pretrained: true, seed: 0 },
    N_CLASSES,
    undefined,
  );
  const noWd = new Set([...model.params.keys()].filter((k) => isBatchNormKey(model, k)));
  const opt = Adam()(model.params, model.groups, noWd);
  return {
    model,
    opt,
    dispose() {
      opt.dispose();
      model.dispose();
    },
  };
}

function makeBatch(size: number, bs: number) {
  const x = tf.randomUniform([bs, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: bs }, (_, i) => i % N_CLASSES),
    'int32',
  );
  return { x, y };
}

/** The params a training phase updates: fastai freeze (train_bn), the head alone, or all. */
function phaseKeys(model: Model, phase: RecipePhase): string[] {
  if (phase === 'unfrozen') return model.groups.flat();
  if (phase === 'frozen-nobn') return model.groups.at(-1)!;
  return trainableKeys({ ...model, frozenGroups: model.groups.length - 1 });
}

type Batch = { x: tf.Tensor4D; y: tf.Tensor1D };
const lossFunc = CrossEntropyLossFlat();

/** A forward-only step: the validation loss, or the body's features; read back as the product does. */
function forwardStep(model: Model, phase: 'valid' | 'precompute', b: Batch) {
  return async () => {
    const out = tf.tidy(() =>
      phase === 'valid'
        ? lossMean(lossFunc, model.forward(b.x, { training: false }), b.y)
        : model.body!.forward(b.x, false),
    );
    try {
      await out.data();
    } finally {
      out.dispose();
    }
  };
}

/** A training step as the Learner runs it: forward, loss, gradients, the loss read back, Adam. */
function trainStep(model: Model, opt: Optimizer, phase: RecipePhase, b: Batch) {
  const keys = phaseKeys(model, phase);
  return async () => {
    const { loss, grads } = lossAndGrads(
      model,
      () => lossMean(lossFunc, model.forward(b.x, { training: true }), b.y),
      keys,
    );
    try {
      await loss.data();
      opt.step(grads);
    } finally {
      tf.dispose([loss, ...grads.values()]);
    }
  };
}

type Rig = Awaited<ReturnType<typeof makeRig>>;
const phaseStep = (r: Rig, phase: RecipePhase, b: Batch) =>
  phase === 'valid' || phase === 'precompute'
    ? forwardStep(r.model, phase, b)
    : trainStep(r.model, r.opt, phase, b);

interface Ctx {
  size: number;
  bs: number;
  best: number;
  progress: (m: string) => void;
}

/** Warm-up step (pipelines, tuner queue), then one counted step and, ours only, a profiled one. */
async function timePhase(
  c: Ctx,
  phase: RecipePhase,
  engine: Engine,
  step: () => Promise<void>,
): Promise<RecipeStepRow> {
  const say = (what: string) => c.progress(`${phase} ${c.size} px bs ${c.bs} (${engine}): ${what}`);
  say('warm-up');
  await step();
  const gpu = engine === 'webgpu' || engine === 'stock-webgpu';
  if (gpu) await studioAutotuner().idle();
  say('timed step');
  const n = gpu ? await countStep(step) : undefined;
  const wallMs = n?.wallMs ?? (await wallOf(step));
  let prof: Awaited<ReturnType<typeof profileRecipeStep>> | undefined;
  if (engine === 'webgpu') {
    say('profiled step');
    prof = await profileRecipeStep(step);
  }
  const flops = phaseFlops(phase, c.size, c.bs, N_CLASSES);
  const gflops = flops / wallMs / 1e6;
  return {
    phase,
    size: c.size,
    bs: c.bs,
    engine,
    wallMs,
    gpuMs: prof && gpuTimed() ? prof.gpuMs : null,
    syncs: n?.syncs ?? null,
    syncMs: n?.syncMs ?? null,
    jsMs: n ? n.wallMs - n.syncMs : null,
    dispatches: n?.dispatches ?? null,
    flops,
    gflops,
    ofBestMatmul: gflops / c.best,
    families: prof?.families,
    shapes: prof?.shapes,
  };
}

async function wallOf(step: () => Promise<void>) {
  const t0 = performance.now();
  await step();
  return performance.now() - t0;
}

const gpuTimed = () =>
  (tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery === true;

/** The body forward on the engine the studio picks for precompute (runPhase), warm-up first. */
async function chosenPrecompute(c: Ctx, model: Model, webgpu: RecipeStepRow) {
  const spec: PhaseSpec = {
    phase: 'precompute',
    model,
    shape: [c.bs, c.size, c.size, 3],
    body: true,
  };
  const choice = await chooseEngine(spec);
  const summary = { size: c.size, engine: choice.engine, reason: choice.reason };
  if (choice.engine === 'webgpu')
    return { row: undefined, summary: { ...summary, webgpuOverChosen: 1 } };
  const row = await runPhase(spec, async (m) => {
    const b = makeBatch(c.size, c.bs); // tensors of the chosen engine's backend
    try {
      return await timePhase(c, 'precompute', 'wasm', forwardStep(m, 'precompute', b));
    } finally {
      tf.dispose([b.x, b.y]);
    }
  });
  return { row, summary: { ...summary, webgpuOverChosen: webgpu.wallMs / row.wallMs } };
}

/** Our kernels: every phase at one size. */
async function oursAt(c: Ctx, rig: Rig) {
  const b = makeBatch(c.size, c.bs);
  try {
    const rows: RecipeStepRow[] = [];
    for (const phase of ['frozen', 'frozen-nobn', 'unfrozen', 'valid', 'precompute'] as const)
      rows.push(await timePhase(c, phase, 'webgpu', phaseStep(rig, phase, b)));
    const { row, summary } = await chosenPrecompute(c, rig.model, rows.at(-1)!);
    if (row) rows.push(row);
    return { rows, summary };
  } finally {
    tf.dispose([b.x, b.y]);
  }
}

/** frozen and unfrozen on stock tfjs-webgpu or tfjs-webgl; an error names the engine. */
async function reference(c: Ctx, name: string): Promise<RecipeStepRow[]> {
  const engine: Engine = name === 'webgpu' ? 'stock-webgpu' : 'webgl';
  const [before, ours] = [tf.getBackend(), studioKernelsEnabled()];
  if (engine === 'webgl' && !(await tf.setBackend('webgl')))
    throw new Error('webgl: tfjs could not start it');
  if (engine === 'stock-webgpu') setStudioKernels(false);
  try {
    const rig = await makeRig();
    const b = makeBatch(c.size, c.bs);
    try {
      const rows: RecipeStepRow[] = [];
      for (const phase of ['frozen', 'unfrozen'] as const)
        rows.push(await timePhase(c, phase, engine, phaseStep(rig, phase, b)));
      return rows;
    } finally {
      tf.dispose([b.x, b.y]);
      rig.dispose();
    }
  } finally {
    setStudioKernels(ours);
    await tf.setBackend(before);
  }
}

export function checkRecipeArgs(a: BenchRecipeArgs): void {
  for (const s of [...a.sizes, ...(a.refSizes ?? [])])
    if (!Number.isInteger(s) || s < 32)
      throw new Error(
        `bench-recipe: size ${s}: give whole pixels, at least 32 (ResNet50's 5 strides)`,
      );
  if (!a.sizes.length) throw new Error('bench-recipe: --sizes lists no size');
  if (!Number.isInteger(a.bs) || a.bs < 1)
    throw new Error(`bench-recipe: --bs ${a.bs}: give 1 or more`);
  const bad = a.ref.filter((r) => !REF_ENGINES.includes(r));
  if (bad.length)
    throw new Error(
      `bench-recipe: --ref ${bad.join(',')}: known engines are ${REF_ENGINES.join(', ')}`,
    );
}

export async function benchRecipe(
  a: BenchRecipeArgs,
  progress: (message: string) => void = () => {},
): Promise<BenchRecipeResult> {
  checkRecipeArgs(a);
  const t0 = performance.now();
  progress('bench-recipe: best matmul');
  const mm = await benchKernels({ quick: !!a.quick, only: 'matmul' });
  const best = mm.matmulBestGflops;
  const ctx = (size: number): Ctx => ({
    size,
    bs: a.bs,
    best,
    progress: (m) => progress(`bench-recipe: ${m}`),
  });
  const steps: RecipeStepRow[] = [];
  const precompute: BenchRecipeResult['precompute'] = [];
  const rig = await makeRig();
  try {
    for (const size of a.sizes) {
      const { rows, summary } = await oursAt(ctx(size), rig);
      steps.push(...rows);
      precompute.push(summary);
    }
  } finally {
    rig.dispose();
  }
  const errors: string[] = [];
  for (const size of a.refSizes ?? a.sizes.slice(0, 1))
    for (const name of a.ref)
      try {
        steps.push(...(await reference(ctx(size), name)));
      } catch (e) {
        errors.push(`${name} at ${size} px: ${e instanceof Error ? e.message : String(e)}`);
      }
  const info = currentEngine()?.info;
  return {
    ...a,
    adapter: info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'unknown',
    matmulBestGflops: best,
    referenceBestGflops: mm.referenceBestGflops,
    gpuTimed: gpuTimed(),
    steps,
    precompute,
    errors,
    seconds: (performance.now() - t0) / 1000,
  };
}
