import { useState } from 'react';
import { filesFromDrop, filesFromInput } from '../../walk';
import { useStudio } from '../../store/studio';

/** "Choose folder" (webkitdirectory) and a drop zone for folders and loose files. */
export function FolderPicker() {
  const setDataFiles = useStudio((s) => s.setDataFiles);
  const runImport = useStudio((s) => s.runImport);
  const count = useStudio((s) => s.dataFiles.length);
  const [over, setOver] = useState(false);
  const take = (files: ReturnType<typeof filesFromInput>, emptyDirs: string[] = []) => {
    setDataFiles(files, emptyDirs);
    void runImport();
  };
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        // Entries must be read inside the event; the walk itself continues afterwards.
        void filesFromDrop(e.dataTransfer).then((p) => take(p.files, p.emptyDirs));
      }}
    >
      <p>
        Drop a folder of images here (one sub-folder per class, or train/ and valid/), or{' '}
        <label className="button" htmlFor="folder-input">
          choose a folder
        </label>
        <input
          id="folder-input"
          data-testid="folder-input"
          type="file"
          multiple
          hidden
          // React does not know webkitdirectory; set it as a plain attribute.
          ref={(el) => el?.setAttribute('webkitdirectory', '')}
          onChange={(e) => {
            if (e.target.files?.length) take(filesFromInput(e.target.files));
            e.target.value = '';
          }}
        />
      </p>
      {count > 0 && (
        <p className="muted" data-testid="file-count">
          {count} files
        </p>
      )}
    </div>
  );
}
