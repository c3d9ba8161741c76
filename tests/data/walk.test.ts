import { describe, expect, it } from 'vitest';
import { walkEntries } from '../../src/page/walk';

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
