// Picking files: a drop zone for folders and loose files, and hidden file inputs (a folder one
// with webkitdirectory) that its labels open. Each hands over what was picked, walked into files.
import { useState, type ReactNode } from 'react';
import { filesFromDrop, filesFromInput, type Picked } from '../walk';

export function DropZone(p: {
  testId: string;
  onPick: (picked: Picked) => void;
  disabled?: boolean;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      data-testid={p.testId}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        // Entries must be read inside the event; the walk itself continues afterwards.
        if (!p.disabled) void filesFromDrop(e.dataTransfer).then(p.onPick);
      }}
    >
      {p.children}
    </div>
  );
}

/** A hidden <input type=file multiple>, opened by a <label htmlFor={id}>. */
export function FilesInput(p: {
  id: string;
  testId?: string;
  folder?: boolean;
  accept?: string;
  disabled?: boolean;
  onPick: (picked: Picked) => void;
}) {
  return (
    <input
      id={p.id}
      data-testid={p.testId}
      type="file"
      accept={p.accept}
      multiple
      hidden
      disabled={p.disabled}
      // React does not know webkitdirectory; set it as a plain attribute.
      ref={(el) => (p.folder ? el?.setAttribute('webkitdirectory', '') : undefined)}
      onChange={(e) => {
        if (e.target.files?.length)
          p.onPick({ files: filesFromInput(e.target.files), emptyDirs: [] });
        e.target.value = '';
      }}
    />
  );
}
