import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_FILES, tooManyFiles } from '../../src/shared/items';
import { pickedCount, walkEntries } from '../../src/page/walk';

/** Minimal FileSystemEntry trees, as Chrome's webkitGetAsEntry() hands them to a drop handler. */
function fileEntry(fullPath: string): FileSystemEntry {
  const name = fullPath.slice(fullPath.lastIndexOf('/') + 1);
  return {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file: (ok: (f: File) => void) => ok(new File(['x'], name)),
  } as unknown as FileSystemEntry;
}

function dirEntry(fullPath: string, children: FileSystemEntry[]): FileSystemEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
    fullPath,
    createReader() {
      let at = 0;
      // Chrome returns at most 100 entries per readEntries call.
      return {
        readEntries: (ok: (e: FileSystemEntry[]) => void) => ok(children.slice(at, (at += 100))),
      };
    },
  } as unknown as FileSystemEntry;
}

describe('walking dropped folders', () => {
  it('recurses, reads past the 100-entry pages, reports empty folders and keeps loose files', async () => {
    const many = Array.from({ length: 250 }, (_, i) => fileEntry(`/pets/cat/c${i}.jpg`));
    const root = dirEntry('/pets', [
      dirEntry('/pets/cat', many),
      dirEntry('/pets/dog', [dirEntry('/pets/dog/nested', [fileEntry('/pets/dog/nested/d.jpg')])]),
      dirEntry('/pets/empty_class', []),
    ]);
    const picked = await walkEntries([root], [new File(['y'], 'loose.png')]);
    expect(picked.files).toHaveLength(252);
    expect(picked.files.map((f) => f.path)).toContain('pets/dog/nested/d.jpg');
    expect(picked.files.map((f) => f.path)).toContain('pets/cat/c249.jpg');
    expect(picked.files[0].path).toBe('loose.png');
    expect(picked.emptyDirs).toEqual(['pets/empty_class']);
  });
});

describe('a folder too large to import', () => {
  it('a drop of a folder with 1e6 files stops listing past the cap, and the import is refused', async () => {
    let made = 0;
    const huge = {
      isFile: false,
      isDirectory: true,
      name: 'huge',
      fullPath: '/huge',
      createReader() {
        return {
          readEntries: (ok: (e: FileSystemEntry[]) => void) => {
            const n = Math.min(100, 1_000_000 - made);
            ok(Array.from({ length: n }, () => fileEntry(`/huge/f${made++}.jpg`)));
          },
        };
      },
    } as unknown as FileSystemEntry;
    const picked = await walkEntries([huge]);
    // The walk read one page past the cap, not the million entries.
    expect(made).toBeLessThanOrEqual(MAX_IMPORT_FILES + 100);
    expect(pickedCount(picked)).toBeGreaterThan(MAX_IMPORT_FILES);
    expect(tooManyFiles(pickedCount(picked))).toBe(
      `the folder has more than ${MAX_IMPORT_FILES} files, the most one import takes: choose a sub-folder or a subset`,
    );
    expect(tooManyFiles(MAX_IMPORT_FILES)).toBeUndefined();
  });
});
