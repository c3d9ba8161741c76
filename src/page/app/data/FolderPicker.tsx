import { useStudio } from '../../store/studio';
import type { Picked } from '../../walk';
import { DropZone, FilesInput } from '../DropZone';

/** "Choose folder" (webkitdirectory) and a drop zone for folders and loose files. */
export function FolderPicker() {
  const setDataFiles = useStudio((s) => s.setDataFiles);
  const runImport = useStudio((s) => s.runImport);
  const count = useStudio((s) => s.dataFiles.length);
  const take = (p: Picked) => {
    setDataFiles(p.files, p.emptyDirs);
    void runImport();
  };
  return (
    <DropZone testId="dropzone" onPick={take}>
      <p>
        Drop a folder of images here (one sub-folder per class, or train/ and valid/), or{' '}
        <label className="button" htmlFor="folder-input">
          choose a folder
        </label>
        <FilesInput id="folder-input" testId="folder-input" folder onPick={take} />
      </p>
      {count > 0 && (
        <p className="muted" data-testid="file-count">
          {count} files
        </p>
      )}
    </DropZone>
  );
}
