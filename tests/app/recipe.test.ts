// The lesson-1 recipe in the store against a fake worker: an import proposes it over the fields
// the user has not edited (never clobbering an edit), lr_find's valley becomes the LR, one action
// runs setup -> lr_find -> fine_tune, and the estimate reuses a learner set up the same way.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/page/store/client', async () => (await import('./fakeWorker')).clientMock());
const { calls, replies } = await import('./fakeWorker');

const { useStudio } = await import('../../src/page/store/studio');
const { FIT_DEFAULTS, TRAIN_DEFAULTS, panelSetupArgs } =
  await import('../../src/page/store/trainSlice');
const { MODEL_DEFAULT } = await import('../../src/page/store/modelSlice');

const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true };
const GPU = { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false };
const summary = (errors: string[] = []) => ({
  classes: ['cardboard', 'glass'],
  images: { train: 6, valid: 2, test: 0 },
  errors,
});
const timing = { frozenMs: 10, unfrozenMs: 15, validMs: 4, warmupMs: 90, nTrain: 3, nValid: 1 };
const initial = useStudio.getState();
const names = () => calls.map((c) => c.name).filter((n) => !/^(info|stageFiles|dataSamples)$/.test(n)); // prettier-ignore

async function importFolder(adapter: object = SWIFTSHADER) {
  replies.info = () => ({ adapter, engine: 'webgpu', backend: 'webgpu', versions: {} });
  useStudio.setState({ info: undefined }); // the adapter of this test
  useStudio.getState().setDataFiles([{ path: 'a/x.jpg' } as never]);
  return useStudio.getState().runImport();
}

beforeEach(() => {
  useStudio.setState(initial, true);
  calls.length = 0;
  for (const k of Object.keys(replies)) delete replies[k];
  replies.stageFiles = () => ({ staged: 1 });
  replies.importFiles = () => summary();
  replies.dataSamples = () => [];
  replies.setupLearner = () => ({ arch: 'resnet50-imagenet', vocab: ['a', 'b'], groups: 3, nParams: 9, pretrained: true, frozenGroups: 2 }); // prettier-ignore
  replies.lrFind = () => ({ lrs: [], losses: [], suggestions: {}, suggestion: 3e-4 });
  replies.fit = () => ({ rows: [], stopped: false, seconds: 1 });
  replies.freezeLearner = () => ({ groups: 3, frozenGroups: 0 });
  replies.estimateStep = () => timing;
});

describe('an import proposes fastai lesson 1', () => {
  it('before an import, the demo keeps the tiny CNN defaults', () => {
    const s = useStudio.getState();
    expect([s.recipe, s.modelChoice, s.trainOptions, s.fitOptions]).toEqual([
      undefined,
      MODEL_DEFAULT,
      TRAIN_DEFAULTS,
      FIT_DEFAULTS,
    ]);
  });
  it('on a software adapter: pretrained ResNet50, 128 px, bs 16, crop, fine_tune(1), precompute', async () => {
    await importFolder(SWIFTSHADER);
    const s = useStudio.getState();
    expect(s.recipeSoftware).toBe(true);
    expect(panelSetupArgs(s)).toMatchObject({
      arch: 'resnet50-imagenet',
      pretrained: true,
      data: 'imported',
      size: 128,
      bs: 16,
      resize: 'crop',
      aug: 'side-on',
    });
    expect(s.fitOptions).toMatchObject({
      policy: 'fine_tune',
      epochs: 1,
      lr: 2e-3,
      precompute: true,
    });
  });
  it('on a hardware adapter: fastai 224 px, bs 64, no precompute', async () => {
    await importFolder(GPU);
    const s = useStudio.getState();
    expect([s.recipeSoftware, s.trainOptions.size, s.trainOptions.bs]).toEqual([false, 224, 64]);
    expect(s.fitOptions.precompute).toBe(false);
  });
  it('without WebGPU: fit_one_cycle of the head on precomputed features, 128 px, bs 16', async () => {
    replies.info = () => ({ engine: 'wasm', backend: 'wasm', versions: {} });
    useStudio.setState({ info: undefined });
    useStudio.getState().setDataFiles([{ path: 'a/x.jpg' } as never]);
    await useStudio.getState().runImport();
    const s = useStudio.getState();
    expect([s.recipeSoftware, s.trainOptions.size, s.trainOptions.bs]).toEqual([true, 128, 16]);
    expect(s.fitOptions).toMatchObject({ policy: 'one_cycle', epochs: 1, precompute: true });
    // The estimate times no unfrozen step (the worker would refuse it without WebGPU).
    await s.estimateRecipe();
    expect(calls.find((c) => c.name === 'estimateStep')?.args).toEqual({ unfrozen: false });
  });
  it('an untrainable import proposes nothing', async () => {
    replies.importFiles = () => summary(['only one class: cardboard']);
    await importFolder();
    expect(useStudio.getState().recipe).toBeUndefined();
    expect(useStudio.getState().trainOptions).toEqual(TRAIN_DEFAULTS);
  });
  it("the next import keeps the user's edits and moves only the fields left alone", async () => {
    await importFolder(SWIFTSHADER);
    const s = useStudio.getState();
    s.setTrainOptions({ size: 64 });
    s.setFitOptions({ policy: 'one_cycle' });
    await s.chooseArch('resnet18');
    await importFolder(GPU); // a recipe with other values: bs moves, the edited fields do not
    const t = useStudio.getState();
    expect(t.modelChoice).toEqual({ arch: 'resnet18', source: 'random' });
    expect([t.trainOptions.size, t.trainOptions.bs]).toEqual([64, 64]);
    expect([t.fitOptions.policy, t.fitOptions.precompute]).toEqual(['one_cycle', false]);
    await importFolder(GPU); // the same import again changes nothing
    expect(useStudio.getState().trainOptions).toEqual(t.trainOptions);
  });
  it("a demo run's fit is not an edit: the import still proposes fine_tune(1)", async () => {
    replies.info = () => ({ adapter: GPU, backend: 'webgpu', versions: {} });
    await useStudio.getState().trainDemo();
    expect(useStudio.getState().fitOptions.epochs).toBe(3);
    await importFolder(GPU);
    expect(useStudio.getState().fitOptions).toMatchObject({ policy: 'fine_tune', epochs: 1 });
  });
});

describe('lr_find and the run', () => {
  it("lr_find's valley becomes the LR unless the user picked one", async () => {
    await importFolder();
    await useStudio.getState().lrFind();
    expect(useStudio.getState().fitOptions.lr).toBe(3e-4);
    useStudio.getState().setFitOptions({ lr: 1e-3 });
    await useStudio.getState().lrFind();
    expect(useStudio.getState().fitOptions.lr).toBe(1e-3);
  });
  it('without an import lr_find fills the lr field too, unless the user typed an LR', async () => {
    replies.info = () => ({ adapter: GPU, backend: 'webgpu', versions: {} });
    await useStudio.getState().lrFind();
    const suggested = useStudio.getState().lrFindResult!.suggestion;
    expect(useStudio.getState().fitOptions.lr).toBe(suggested);
    useStudio.getState().setFitOptions({ lr: FIT_DEFAULTS.lr });
    useStudio.getState().markEdited(['lr']);
    await useStudio.getState().lrFind();
    expect(useStudio.getState().fitOptions.lr).toBe(FIT_DEFAULTS.lr);
  });
  it('Run the recipe: setup, lr_find, then fine_tune(1) at the valley', async () => {
    await importFolder();
    calls.length = 0;
    await useStudio.getState().runRecipe();
    expect(names()).toEqual(['setupLearner', 'lrFind', 'fit', 'freezeLearner']);
    expect(calls.find((c) => c.name === 'setupLearner')!.args).toMatchObject({
      arch: 'resnet50-imagenet',
      pretrained: true,
      size: 128,
    });
    expect(calls.find((c) => c.name === 'fit')!.args).toMatchObject({
      policy: 'fine_tune',
      epochs: 1,
      lr: 3e-4,
      precompute: true,
    });
    expect(useStudio.getState().recipePhase).toBeUndefined();
  });
  it('a failed setup stops the recipe before lr_find, with the reason', async () => {
    await importFolder();
    replies.setupLearner = () => {
      throw new Error('bundled weights: fetch failed');
    };
    calls.length = 0;
    await useStudio.getState().runRecipe();
    expect(names()).toEqual(['setupLearner']);
    expect(useStudio.getState().trainError).toMatch(/fetch failed/);
  });
  it('the estimate sets the learner up once and again only when its options change', async () => {
    await importFolder();
    calls.length = 0;
    await useStudio.getState().estimateRecipe();
    await useStudio.getState().estimateRecipe();
    expect(names()).toEqual(['setupLearner', 'estimateStep', 'estimateStep']);
    expect(useStudio.getState().stepTiming).toEqual(timing);
    useStudio.getState().setTrainOptions({ bs: 8 });
    await useStudio.getState().estimateRecipe();
    expect(names().slice(3)).toEqual(['setupLearner', 'estimateStep']);
    expect((calls.at(-2)!.args as { bs: number }).bs).toBe(8);
  });
});
