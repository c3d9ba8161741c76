// One image of the cleaner: thumbnail, label / prediction, loss / probability, and its mark
// (keep, delete, or another class; multi-label: the label set, ticked class by class).
import type { CleanerEdit } from '../../../shared/cleaner';
import type { CleanerItem } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';
import { Thumb } from './Thumb';

const KEEP = '<keep>';
const DELETE = '<delete>';
const LABELS = '<labels>';

function LabelSet({
  item,
  edit,
  vocab,
}: {
  item: CleanerItem;
  edit: CleanerEdit;
  vocab: string[];
}) {
  const mark = useStudio((s) => s.markCleaner);
  const labels = edit.action === 'relabel' ? edit.labels : item.labels;
  const toggle = (c: string) =>
    mark(item.path, {
      path: item.path,
      action: 'relabel',
      labels: labels.includes(c) ? labels.filter((l) => l !== c) : [...labels, c],
    });
  return (
    <div className="cleaner-labels">
      {vocab.map((c) => (
        <label key={c}>
          <input type="checkbox" checked={labels.includes(c)} onChange={() => toggle(c)} /> {c}
        </label>
      ))}
    </div>
  );
}

export function CleanerFigure({
  item,
  vocab,
  multiLabel,
}: {
  item: CleanerItem;
  vocab: string[];
  multiLabel: boolean;
}) {
  const edit = useStudio((s) => s.cleanerMarks[item.path]);
  const applied = useStudio((s) => s.cleanerEdits.find((e) => e.path === item.path));
  const mark = useStudio((s) => s.markCleaner);
  const value = !edit
    ? KEEP
    : edit.action === 'delete'
      ? DELETE
      : multiLabel
        ? LABELS
        : edit.labels[0];
  const choose = (v: string) => {
    if (v === KEEP) return mark(item.path, undefined);
    if (v === DELETE) return mark(item.path, { path: item.path, action: 'delete' });
    mark(item.path, {
      path: item.path,
      action: 'relabel',
      labels: v === LABELS ? item.labels : [v],
    });
  };
  return (
    <figure data-testid="cleaner-item" data-path={item.path} className={edit ? 'marked' : ''}>
      <Thumb path={item.path} size={96} imported />
      <figcaption>
        <span title="label / prediction">
          {item.labels.join(';') || '∅'} / {item.predicted.join(';') || '∅'}
        </span>
        <br />
        <span title="loss / probability">
          {item.loss.toFixed(2)} / {item.prob.toFixed(2)}
        </span>
        {applied && (
          <div className="muted" title="applied: undo it in the list of edits">
            now {applied.action === 'delete' ? 'deleted' : `→ ${applied.labels.join(';')}`}
          </div>
        )}
      </figcaption>
      <select data-testid="cleaner-mark" value={value} onChange={(e) => choose(e.target.value)}>
        <option value={KEEP}>keep</option>
        <option value={DELETE}>delete</option>
        {multiLabel ? (
          <option value={LABELS}>labels…</option>
        ) : (
          vocab
            .filter((c) => c !== item.labels[0])
            .map((c) => (
              <option key={c} value={c}>
                → {c}
              </option>
            ))
        )}
      </select>
      {multiLabel && edit?.action === 'relabel' && (
        <LabelSet item={item} edit={edit} vocab={vocab} />
      )}
    </figure>
  );
}
