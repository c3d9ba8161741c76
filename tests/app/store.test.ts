// The store's actions against a fake worker: one session import (Export panel, CLI, autosave
// restore) resets the Train state the same way, and the fit options are one set for panel and CLI.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/page/store/client', async () => (await import('./fakeWorker')).clientMock());
const { calls, replies } = await import('./fakeWorker');
const saved = vi.hoisted(() => ({ record: undefined as unknown }));
vi.mock('../../src/shared/autosaveStore', () => ({
  readAutosave: async () => saved.record,
  clearAutosave: async () => {},
}));

const { useStudio } = await import('../../src/page/store/studio');
const { FIT_DEFAULTS } = await import('../../src/page/store/trainSlice');
const { restoreAutosave } = await import('../../src/page/store/restore');

const setup = { arch: 'resnet18', vocab: ['a', 'b'], groups: 3, nParams: 10, pretrained: true };
const history = {
  batches: [0, 1, 2].map((iter) => ({
    iter,
    fit: 0,
    epoch: iter < 2 ? 0 : 1,
    loss: 1 / (iter + 1),
    smoothLoss: 1,
    lr: 1e-3,
    mom: 0.9,
  })),
  epochs: [0, 1].map((epoch) => ({
    epoch,
    fit: 0,
    trainLoss: 1,
    validLoss: 2,
    metrics: {},
    seconds: 1,
  })),
  fits: [],
};
const imported = {
  setup,
  frozenGroups: 2,
  epochs: 2,
  iterations: 3,
  warnings: [],
  history,
  cleaner: [],
};
const initial = useStudio.getState();

beforeEach(() => {
  useStudio.setState(initial, true);
  calls.length = 0;
  for (const k of Object.keys(replies)) delete replies[k];
  replies.info = () => ({ adapter: { vendor: 'fake' }, backend: 'webgpu', versions: {} });
  replies.importSession = () => structuredClone(imported);
  replies.sessionCaptures = () => [];
  replies.freezeLearner = () => ({ groups: 3, frozenGroups: 0 });
  replies.fit = () => ({ rows: [], stopped: false, seconds: 1 });
});

/** The Train state a session import must replace: a previous run's results and curves. */
function dirty() {
  useStudio.setState({
    trainResult: { rows: [], stopped: true, seconds: 9, size: 32 },
    lrFindResult: { suggestion: 1 } as never,
    trainError: 'old error',
    trainBatches: [{ iter: 99 } as never],
    trainEpochs: [{ epoch: 7 } as never],
    freezeState: { groups: 9, frozenGroups: 9 },
  });
}

function expectImported() {
  const s = useStudio.getState();
  expect(s.trainSetup).toEqual(setup);
  expect(s.freezeState).toEqual({ groups: 3, frozenGroups: 2 });
  expect(s.trainResult).toBeUndefined();
  expect(s.lrFindResult).toBeUndefined();
  expect(s.trainError).toBeUndefined();
  expect(s.trainEpochs.map((e) => e.epoch)).toEqual([0, 1]);
  expect(s.trainBatches.map((b) => [b.iter, b.of, b.epoch])).toEqual([
    [1, 3, 0],
    [2, 3, 0],
    [3, 3, 1],
  ]);
}

describe('importSession: one reset for the Export panel, the CLI and the autosave restore', () => {
  it('replaces the learner, its history and freeze state', async () => {
    dirty();
    const bytes = new Uint8Array([1, 2, 3]);
    const r = await useStudio.getState().importSession(bytes);
    expect(r.epochs).toBe(2);
    expect(calls.find((c) => c.name === 'importSession')?.args).toEqual({ bytes });
    expectImported();
  });
  it('restoring the autosave goes through the same import and says so in the log', async () => {
    saved.record = {
      archive: new Uint8Array([4]),
      meta: { data: 'demo', arch: 'resnet18', savedAt: 'then', classes: [], folders: [] },
    };
    dirty();
    await restoreAutosave();
    expectImported();
    expect(useStudio.getState().log.at(-1)).toMatch(/^session restored: resnet18, 2 epochs/);
  });
  it('a failed import leaves the Train state alone and says why', async () => {
    replies.importSession = () => {
      throw new Error('session.zip: not a session archive');
    };
    dirty();
    await expect(useStudio.getState().importSession(new Uint8Array())).rejects.toThrow(
      /not a session archive/,
    );
    expect(useStudio.getState().trainEpochs.map((e) => e.epoch)).toEqual([7]);
  });
  it('without WebGPU it refuses with a message', async () => {
    replies.info = () => {
      throw new Error('no adapter');
    };
    await expect(useStudio.getState().importSession(new Uint8Array())).rejects.toThrow(
      'WebGPU is not available',
    );
  });
});

describe('fit options: one set for the Train panel and the CLI', () => {
  const fitArgs = () => calls.filter((c) => c.name === 'fit').map((c) => c.args);
  it("the panel's edits are what the next fit sends", async () => {
    useStudio.getState().setFitOptions({ epochs: 5, mixup: true, lr: { lo: 1e-5, hi: 1e-3 } });
    await useStudio.getState().fit();
    expect(fitArgs()).toEqual([
      { ...FIT_DEFAULTS, epochs: 5, mixup: true, lr: { lo: 1e-5, hi: 1e-3 } },
    ]);
  });
  it('explicit args (the CLI) go as given, and the panel shows them over its defaults', async () => {
    useStudio.getState().setFitOptions({ mixup: true, precompute: true, cycleLen: 3 });
    await useStudio.getState().fit({ epochs: 1, lr: undefined, policy: 'sgdr' });
    // No lr or wd flag: the worker's Learner keeps its own defaults.
    expect(fitArgs()).toEqual([{ epochs: 1, policy: 'sgdr' }]);
    expect(useStudio.getState().fitOptions).toEqual({ ...FIT_DEFAULTS, epochs: 1, policy: 'sgdr' });
  });
  it('a fit refreshes the freeze state (fine_tune unfreezes) and clears a pause', async () => {
    useStudio.setState({ freezeState: { groups: 3, frozenGroups: 2 }, trainPaused: true });
    await useStudio.getState().fit();
    expect(useStudio.getState().freezeState).toEqual({ groups: 3, frozenGroups: 0 });
    expect(useStudio.getState().trainPaused).toBe(false);
  });
});
