// fastai's ImageClassifierCleaner: per split and class, the images by loss (highest first),
// each marked keep / delete / another class; "apply" sets the edits as an overlay on the data
// (the files are never touched), used by the next setup or fit and saved with the session.
import { useState } from 'react';
import { useStudio } from '../../store/studio';
import { CleanerEdits } from './CleanerEdits';
import { CleanerFigure } from './CleanerFigure';

const PAGE = 24;

export function Cleaner() {
  const r = useStudio((s) => s.cleanerResult);
  const status = useStudio((s) => s.cleanerStatus);
  const error = useStudio((s) => s.cleanerError);
  const marks = useStudio((s) => Object.keys(s.cleanerMarks).length);
  const load = useStudio((s) => s.loadCleaner);
  const apply = useStudio((s) => s.applyCleaner);
  const training = useStudio((s) => s.trainStatus === 'running');
  const [split, setSplit] = useState<'train' | 'valid'>('train');
  const [cls, setCls] = useState('');
  const [shown, setShown] = useState(PAGE);
  const items = (r?.items ?? []).filter((it) => !cls || it.labels.includes(cls));
  return (
    <section className="card" data-testid="cleaner">
      <h3>Clean the data</h3>
      <div className="row">
        <select
          data-testid="cleaner-split"
          value={split}
          onChange={(e) => setSplit(e.target.value as 'train' | 'valid')}
        >
          <option value="train">train</option>
          <option value="valid">valid</option>
        </select>
        <button
          data-testid="cleaner-run"
          disabled={training || status === 'running'}
          onClick={() => void load(split).then(() => setShown(PAGE))}
        >
          Losses of the {split} set
        </button>
        {r && (
          <select data-testid="cleaner-class" value={cls} onChange={(e) => setCls(e.target.value)}>
            <option value="">all classes</option>
            {r.vocab.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        )}
        <button
          data-testid="cleaner-apply"
          disabled={!marks || status === 'running'}
          onClick={() => void apply()}
        >
          Apply {marks} edit{marks === 1 ? '' : 's'}
        </button>
      </div>
      <p className="muted">
        {status === 'running'
          ? 'working…'
          : r
            ? `${r.split}: ${items.length} images, highest loss first · label / prediction · loss / probability. The files are never changed: edits apply to the next setup or fit.`
            : 'After training: the images the model finds hardest, to delete or relabel.'}
      </p>
      {error && <p className="error">{error}</p>}
      {r && (
        <div className="interp-grid" data-testid="cleaner-items">
          {items.slice(0, shown).map((it) => (
            <CleanerFigure key={it.path} item={it} vocab={r.vocab} multiLabel={r.multiLabel} />
          ))}
        </div>
      )}
      {items.length > shown && (
        <button onClick={() => setShown(shown + PAGE)}>Show {PAGE} more</button>
      )}
      <CleanerEdits />
    </section>
  );
}
