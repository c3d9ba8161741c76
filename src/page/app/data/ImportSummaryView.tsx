import type { ImportSummary } from '../../../shared/dataset';

/** A list of thousands of rows would stall the page; the rest stay in the store and the CLI. */
const MAX_SKIPPED_SHOWN = 300;

/** Classes with counts per split, errors, warnings and every skipped file with its reason. */
export function ImportSummaryView({ summary }: { summary: ImportSummary }) {
  const splits = (['train', 'valid', 'test'] as const).filter((s) => summary.counts[s]);
  return (
    <div data-testid="import-summary">
      <p data-testid="summary-line">
        {summary.classes.length} classes{summary.multiLabel ? ' (multi-label)' : ''} ·{' '}
        {summary.images.train} train · {summary.images.valid} valid
        {summary.images.test ? ` · ${summary.images.test} test` : ''} · split by{' '}
        {summary.split === 'folders' ? 'folders' : 'random'} · {summary.skipped.length} skipped
      </p>
      {summary.errors.map((e) => (
        <p key={e} className="error" role="alert" data-testid="import-error">
          {e}
        </p>
      ))}
      {summary.warnings.length > 0 && (
        <ul className="warnings" data-testid="import-warnings">
          {summary.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <table className="counts" data-testid="class-counts">
        <thead>
          <tr>
            <th>class</th>
            {splits.map((s) => (
              <th key={s}>{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.classes.map((c) => (
            <tr key={c} data-class={c}>
              <td>{c}</td>
              {splits.map((s) => (
                <td key={s}>{summary.counts[s]![c]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {summary.skipped.length > 0 && (
        <details data-testid="skipped">
          <summary>{summary.skipped.length} skipped files</summary>
          <ul>
            {summary.skipped.slice(0, MAX_SKIPPED_SHOWN).map((s) => (
              <li key={s.path}>
                <code>{s.path}</code>: {s.reason}
              </li>
            ))}
            {summary.skipped.length > MAX_SKIPPED_SHOWN && (
              <li className="muted">
                … and {summary.skipped.length - MAX_SKIPPED_SHOWN} more (the CLI's --json lists them
                all)
              </li>
            )}
          </ul>
        </details>
      )}
    </div>
  );
}
