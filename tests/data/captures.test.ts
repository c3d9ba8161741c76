// Webcam captures as files of the import: where they go beside a dropped folder, and that the
// same planner then labels them by their class folder and splits them by the same rules.
import { describe, expect, it } from 'vitest';
import { IMPORT_DEFAULTS, planImport } from '../../src/shared/dataset';
import {
  cameraProblem,
  captureBase,
  captureClassProblem,
  captureEntry,
  captureOfPath,
  capturePaths,
  contentStamp,
  parseCaptureEntry,
  type Capture,
} from '../../src/shared/captures';

const file = (id: number) => new File([new Uint8Array([id])], `webcam-${id}.jpg`);
const cap = (id: number, cls: string): Capture => ({ id, cls, file: file(id) });
const refs = (paths: string[]) => paths.map((path) => ({ path, size: 10 }));
/** Labels and folder splits the planner gives each capture, beside `dropped`. */
function planned(dropped: string[], captures: Capture[]) {
  const files = [
    ...refs(dropped),
    ...refs(capturePaths(refs(dropped), captures).map((f) => f.path)),
  ];
  const plan = planImport(files, { ...IMPORT_DEFAULTS });
  return Object.fromEntries(
    plan.items
      .filter((it) => it.name.startsWith('webcam-'))
      .map((it) => [it.path, { labels: it.labels, split: it.folderSplit }]),
  );
}

describe('capture paths', () => {
  it('alone: webcam/<class>/, labelled by the class folder', () => {
    expect(captureBase([])).toBe('webcam');
    expect(planned([], [cap(1, 'me'), cap(2, 'cat')])).toEqual({
      'webcam/cat/webcam-2.jpg': { labels: ['cat'], split: undefined },
      'webcam/me/webcam-1.jpg': { labels: ['me'], split: undefined },
    });
  });

  it('one class only still labels by the class folder (not taken as the root)', () => {
    expect(planned([], [cap(3, 'me')])).toEqual({
      'webcam/me/webcam-3.jpg': { labels: ['me'], split: undefined },
    });
  });

  it('beside the class folders of a dropped folder', () => {
    const dropped = ['pets/cat/a.jpg', 'pets/dog/b.jpg'];
    expect(captureBase(refs(dropped))).toBe('pets');
    expect(planned(dropped, [cap(1, 'me'), cap(2, 'cat')])).toEqual({
      'pets/cat/webcam-2.jpg': { labels: ['cat'], split: undefined },
      'pets/me/webcam-1.jpg': { labels: ['me'], split: undefined },
    });
  });

  it('into the train folder of a train/valid layout, however deep', () => {
    const dropped = ['data/imagenette/train/cat/a.jpg', 'data/imagenette/val/cat/b.jpg'];
    expect(captureBase(refs(dropped))).toBe('data/imagenette/train');
    expect(planned(dropped, [cap(4, 'me')])).toEqual({
      'data/imagenette/train/me/webcam-4.jpg': { labels: ['me'], split: 'train' },
    });
  });

  it('a dropped train/ folder alone is the root, not a split', () => {
    expect(captureBase(refs(['train/cat/a.jpg', 'train/dog/b.jpg']))).toBe('train');
  });

  it('loose files: class folders at the top', () => {
    expect(capturePaths(refs(['a.jpg', 'b.png']), [cap(1, 'me')])[0].path).toBe('me/webcam-1.jpg');
  });

  it('a dropped file of the same name is not shadowed', () => {
    const paths = capturePaths(refs(['pets/me/webcam-1.jpg', 'pets/cat/a.jpg']), [cap(1, 'me')]);
    expect(paths.map((p) => p.path)).toEqual(['pets/me/webcam-1-2.jpg']);
    expect(captureOfPath(paths[0].path)).toEqual({ cls: 'me', id: 1 });
  });
});

describe('capture class names', () => {
  it('refuses names that are no class folder, saying why', () => {
    expect(captureClassProblem('')).toBe('name the class first');
    expect(captureClassProblem('a/b')).toMatch(/cannot contain \//);
    expect(captureClassProblem('.me')).toMatch(/hidden folders/);
    expect(captureClassProblem('valid')).toMatch(/read as a valid folder/);
    expect(captureClassProblem(' me')).toMatch(/space/);
    expect(captureClassProblem('x'.repeat(65))).toMatch(/over 64/);
    expect(captureClassProblem('thumbs up')).toBeUndefined();
  });

  it('archive entries round-trip; foreign ones are not captures', () => {
    expect(parseCaptureEntry(captureEntry({ cls: 'thumbs up', id: 12 }))).toEqual({
      cls: 'thumbs up',
      id: 12,
    });
    expect(parseCaptureEntry('captures/../x/webcam-1.jpg')).toBeUndefined();
    expect(parseCaptureEntry('captures/train/webcam-1.jpg')).toBeUndefined();
    expect(parseCaptureEntry('captures/me/photo.png')).toBeUndefined();
    expect(parseCaptureEntry('captures/a/b/webcam-1.jpg')).toBeUndefined();
  });
});

describe('camera messages and restore stamps', () => {
  it('names why the camera did not start', () => {
    expect(cameraProblem({ name: 'NotAllowedError' })).toMatch(/denied/);
    expect(cameraProblem({ name: 'NotFoundError' })).toMatch(/no camera found/);
    expect(cameraProblem({ name: 'NoMediaDevices' })).toMatch(/https or localhost/);
    expect(cameraProblem(new TypeError('boom'))).toMatch(/did not start \(TypeError: boom\)/);
  });

  it('equal bytes stamp equal, different bytes differ', () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(contentStamp(a)).toBe(contentStamp(a.slice()));
    expect(contentStamp(a)).not.toBe(contentStamp(new Uint8Array([1, 2, 4])));
    expect(Number.isSafeInteger(contentStamp(a))).toBe(true);
  });
});
