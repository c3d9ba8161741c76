// The cleaner's overlay in force: every deleted or relabelled image, each undoable.
import { useStudio } from '../../store/studio';
import { Thumb } from './Thumb';

export function CleanerEdits() {
  const edits = useStudio((s) => s.cleanerEdits);
  const undo = useStudio((s) => s.undoCleaner);
  const busy = useStudio((s) => s.cleanerStatus === 'running');
  if (!edits.length) return null;
  return (
    <div data-testid="cleaner-edits">
      <h4>
        Edits in force ({edits.length}){' '}
        <button disabled={busy} onClick={() => void undo(edits.map((e) => e.path))}>
          Undo all
        </button>
      </h4>
      <ul className="cleaner-edit-list">
        {edits.map((e) => (
          <li key={e.path} data-testid="cleaner-edit" data-path={e.path}>
            <Thumb path={e.path} size={32} imported /> <code>{e.path}</code>:{' '}
            {e.action === 'delete' ? 'deleted' : `→ ${e.labels.join(';') || '∅'}`}{' '}
            <button data-testid="cleaner-undo" disabled={busy} onClick={() => void undo([e.path])}>
              undo
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
