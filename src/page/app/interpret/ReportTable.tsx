// sklearn's classification_report: precision, recall, f1 and support per class, the averages
// and the accuracy.
import type { Report } from '../../../shared/interpretation';
import { f3, pct } from './numbers';

export function ReportTable({ report }: { report: Report }) {
  const rows = [
    ...report.classes.map((c) => ({ ...c, key: c.label })),
    { key: 'macro avg', label: 'macro avg', ...report.macro },
    { key: 'weighted avg', label: 'weighted avg', ...report.weighted },
  ];
  return (
    <table className="report" data-testid="class-report">
      <thead>
        <tr>
          <th></th>
          <th>precision</th>
          <th>recall</th>
          <th>f1-score</th>
          <th>support</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.key} data-class={c.label}>
            <th>{c.label}</th>
            <td>{f3(c.precision)}</td>
            <td>{f3(c.recall)}</td>
            <td>{f3(c.f1)}</td>
            <td>{c.support}</td>
          </tr>
        ))}
        <tr>
          <th>accuracy</th>
          <td colSpan={4} data-testid="report-accuracy">
            {pct(report.accuracy)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}
