// The confusion matrix, actual by predicted; a click selects a cell (its images show beside it).
import type { ResultOf } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';

export function ConfusionMatrix({ r }: { r: ResultOf<'interpret'> }) {
  const cell = useStudio((s) => s.interpretCell);
  const select = useStudio((s) => s.selectCell);
  const max = Math.max(1, ...r.matrix.flat());
  return (
    <div className="cm-wrap">
      <table className="cm" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th className="cm-corner">actual \ predicted</th>
            {r.vocab.map((v) => (
              <th key={v} className="cm-pred" title={v}>
                {v}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {r.matrix.map((row, a) => (
            <tr key={a}>
              <th className="cm-actual">{r.vocab[a]}</th>
              {row.map((count, p) => {
                const on = cell?.[0] === a && cell?.[1] === p;
                const t = count / max;
                return (
                  <td
                    key={p}
                    data-testid="cm-cell"
                    data-actual={a}
                    data-predicted={p}
                    data-count={count}
                    className={`${a === p ? 'diag' : 'off'}${on ? ' selected' : ''}`}
                    style={{
                      background: `rgba(${a === p ? '47,111,223' : '192,57,43'},${0.08 + 0.8 * t})`,
                      color: t > 0.5 ? '#fff' : undefined,
                    }}
                    onClick={() => select(on ? undefined : [a, p])}
                    title={`actual ${r.vocab[a]}, predicted ${r.vocab[p]}: ${count}`}
                  >
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
