// The images of the selected confusion-matrix cell, with the predicted class's probability.
import type { ResultOf } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';
import { f3 } from './numbers';
import { Thumb } from './Thumb';

const CELL_SHOW = 120;

export function CellImages({ r }: { r: ResultOf<'interpret'> }) {
  const cell = useStudio((s) => s.interpretCell);
  if (!cell) return <p className="muted">Click a cell to see its images.</p>;
  const [a, p] = cell;
  const items = r.cells[a][p];
  return (
    <div data-testid="cell-images" data-actual={a} data-predicted={p}>
      <p>
        <b>{items.length}</b> image{items.length === 1 ? '' : 's'} of <b>{r.vocab[a]}</b> predicted
        as <b>{r.vocab[p]}</b>
        {items.length > CELL_SHOW && ` (first ${CELL_SHOW} shown)`}
      </p>
      <div className="interp-grid">
        {items.slice(0, CELL_SHOW).map((i) => (
          <figure key={i} data-testid="cell-image" data-index={i} data-path={r.paths[i]}>
            <Thumb path={r.paths[i]} size={72} imported={r.imported} />
            <figcaption title={`${r.paths[i]} · loss ${f3(r.losses[i])}`}>
              p={r.probs[i * r.vocab.length + p].toFixed(2)}
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}
