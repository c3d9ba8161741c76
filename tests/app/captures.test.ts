// The Data panel's webcam captures in the store, against a fake worker: they go with each import
// beside the dropped folder's classes, a delete re-imports without them, and a session archive's
// captures come back before its session is imported (once, however many restores ask).
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/page/store/client', async () => (await import('./fakeWorker')).clientMock());
const { calls, replies } = await import('./fakeWorker');
const saved = vi.hoisted(() => ({ record: undefined as unknown }));
vi.mock('../../src/shared/autosaveStore', () => ({
  readAutosave: async () => saved.record,
  clearAutosave: async () => {},
}));
const { useStudio } = await import('../../src/page/store/studio');
const { restoreAutosave, restoreBlocker } = await import('../../src/page/store/restore');

const initial = useStudio.getState();
const summary = {
  classes: ['cat', 'me'],
  images: { train: 0, valid: 0, test: 0 },
  errors: [],
  warnings: [],
  skipped: [],
};
type ImportArgs = { captures: { path: string; file: File }[] };
const importCalls = () =>
  calls.filter((c) => c.name === 'importFiles').map((c) => c.args as ImportArgs);
const capturedPaths = () =>
  importCalls()
    .at(-1)!
    .captures.map((f) => f.path);
const jpeg = (n: number) => new Blob([new Uint8Array(n).fill(n)], { type: 'image/jpeg' });

beforeEach(() => {
  useStudio.setState(initial, true);
  calls.length = 0;
  for (const k of Object.keys(replies)) delete replies[k];
  replies.info = () => ({ adapter: { vendor: 'fake' }, backend: 'webgpu', versions: {} });
  replies.stageFiles = () => ({ staged: 0 });
  replies.importFiles = () => summary;
  replies.dataSamples = () => [];
});

describe('webcam captures in the store', () => {
  it('go with the import beside the dropped class folders; a delete re-imports without it', async () => {
    const s = useStudio.getState();
    s.setDataFiles([{ path: 'pets/cat/a.jpg', file: new File(['a'], 'a.jpg') }]);
    expect(s.addCaptures('me', [jpeg(3), jpeg(4)])).toBe(true);
    s.addCaptures('cat', [jpeg(5)]);
    await s.runImport();
    const [me1, me2, cat1] = useStudio.getState().dataCaptures;
    expect(capturedPaths()).toEqual([
      `pets/me/webcam-${me1.id}.jpg`,
      `pets/me/webcam-${me2.id}.jpg`,
      `pets/cat/webcam-${cat1.id}.jpg`,
    ]);
    expect(importCalls().at(-1)!.captures[0].file.size).toBe(3);
    const staged = calls.filter((c) => c.name === 'stageFiles').length;

    await useStudio.getState().deleteCaptures([me2.id]);
    expect(capturedPaths()).toEqual([
      `pets/me/webcam-${me1.id}.jpg`,
      `pets/cat/webcam-${cat1.id}.jpg`,
    ]);
    // The dropped folder is not sent again for a change of captures.
    expect(calls.filter((c) => c.name === 'stageFiles').length).toBe(staged);
    expect(useStudio.getState().dataStatus).toBe('ready');
  });

  it('captures alone import under webcam/', async () => {
    useStudio.getState().addCaptures('me', [jpeg(2)]);
    await useStudio.getState().runImport();
    expect(capturedPaths()).toEqual([expect.stringMatching(/^webcam\/me\/webcam-\d+\.jpg$/)]);
  });

  it("a session archive's captures are restored before the session import, once", async () => {
    const bytes = new Uint8Array([9]);
    replies.sessionCaptures = () => [
      { cls: 'me', id: 40, bytes: new Uint8Array([1, 2]) },
      { cls: 'cat', id: 41, bytes: new Uint8Array([3]) },
    ];
    replies.importSession = () => {
      throw new Error('stop here');
    };
    await expect(useStudio.getState().importSession(bytes, 's.zip')).rejects.toThrow('stop here');
    const names = calls.map((c) => c.name);
    expect(names.indexOf('importFiles')).toBeLessThan(names.indexOf('importSession'));
    expect(capturedPaths()).toEqual(['webcam/me/webcam-40.jpg', 'webcam/cat/webcam-41.jpg']);
    expect(calls.find((c) => c.name === 'sessionCaptures')!.args).toEqual({ bytes, name: 's.zip' });

    // The same archive again: nothing new to import.
    expect(await useStudio.getState().restoreCaptures(bytes)).toBe(2);
    expect(importCalls().length).toBe(1);
    // New frames continue after the restored ids.
    useStudio.getState().addCaptures('me', [jpeg(1)]);
    expect(useStudio.getState().dataCaptures.at(-1)!.id).toBeGreaterThan(41);
  });

  it('an autosaved webcam-only session restores without a folder drop', async () => {
    const meta = { data: 'imported', arch: 'tiny', savedAt: 'then', classes: ['cat', 'me'] };
    expect(restoreBlocker({ ...meta, folders: ['webcam'] } as never)).toBeUndefined();
    expect(restoreBlocker({ ...meta, folders: ['pets'], nImages: 9 } as never)).toMatch(
      /drop the same folder \(pets\)/,
    );
    saved.record = { archive: new Uint8Array([5]), meta: { ...meta, folders: ['webcam'] } };
    replies.sessionCaptures = () => [{ cls: 'me', id: 1, bytes: new Uint8Array([1]) }];
    replies.importSession = () => {
      throw new Error('stop here');
    };
    await expect(restoreAutosave()).rejects.toThrow('stop here');
    expect(useStudio.getState().dataCaptures.map((c) => c.cls)).toEqual(['me']);
    expect(importCalls()).toHaveLength(1); // restored once, not again by the session import
  });
});
