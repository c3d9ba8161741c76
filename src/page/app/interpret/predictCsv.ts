import type { LearnerPrediction } from '../../../shared/protocol';
// Predictions as CSV (RFC 4180 quoting): filename, predicted label(s), probability, then the
// top-k labels and probabilities. Pure: the Predict section's "Download CSV" and the tests use it.

const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const prob = (p: number) => p.toFixed(6);

export function predictionsCsv(rows: LearnerPrediction[], k = 3): string {
  const header = ['filename', 'predicted', 'probability'];
  for (let i = 1; i <= k; i++) header.push(`top${i}`, `top${i}_prob`);
  const lines = [header.join(',')];
  for (const r of rows) {
    const fields: (string | number)[] = [
      r.path,
      r.error ? `error: ${r.error}` : r.predicted.join(';'),
      r.error ? '' : prob(r.prob),
    ];
    for (let i = 0; i < k; i++) {
      const t = r.top[i];
      fields.push(t ? t.label : '', t ? prob(t.prob) : '');
    }
    lines.push(fields.map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
