// Formats a `npm run cli -- bench --report bench.json` report as the Markdown tables of
// BENCHMARKS.md: `npx tsx scripts/bench.ts bench.json`. Ratios only compare numbers measured
// in the same browser session on the same adapter.
import { readFileSync } from 'node:fs';
import type { BenchResult, ProfileRow } from '../src/shared/protocol';

const r = JSON.parse(readFileSync(process.argv[2] ?? 'bench.json', 'utf8')) as BenchResult;
const f = (x: number | null | undefined, d = 2) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—';
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? `${f(a / b, 1)}x` : '—';
const lines = [
  '| kernel | shape | ours GFLOP/s | stock GFLOP/s | ours/stock | ours / best matmul |',
  '|---|---|---:|---:|---:|---:|',
  ...r.kernels.map(
    (k) =>
      `| ${k.name} | ${k.shape} | ${f(k.gflopsOurs)} | ${f(k.gflopsStock)} | ${ratio(k.gflopsOurs, k.gflopsStock)} | ${f((100 * k.gflopsOurs) / r.matmulBestGflops, 0)}% |`,
  ),
  '',
  `Best matmul (ours): ${f(r.matmulBestGflops)} GFLOP/s.`,
];
if (r.reference?.length) {
  lines.push(
    '',
    '| matmul n³ | reference GFLOP/s (4x4/thread, vec4, no workgroup memory) | ours GFLOP/s (same operands, right after) | ours / reference |',
    '|---:|---:|---:|---:|',
    ...r.reference.map(
      (x) =>
        `| ${x.n} | ${f(x.gflopsReference)} | ${f(x.gflopsOurs)} | ${ratio(x.gflopsOurs, x.gflopsReference)} |`,
    ),
    '',
    `Best reference: ${f(r.referenceBestGflops)} GFLOP/s; best matmul (ours) / best reference: ${ratio(r.matmulBestGflops, r.referenceBestGflops)}.`,
  );
}
lines.push(
  '',
  '| train step | size | bs | ours ms | stock webgpu ms | tfjs-webgl ms | tfjs-cpu ms | vs stock webgpu | vs webgl | vs cpu |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...r.trainSteps.map(
    (t) =>
      `| ${t.arch} | ${t.size} | ${t.bs} | ${f(t.msOurs, 0)} | ${f(t.msStockWebgpu, 0)} | ${f(t.msWebgl, 0)} | ${f(t.msCpu, 0)} | ${ratio(t.msStockWebgpu, t.msOurs)} | ${ratio(t.msWebgl, t.msOurs)} | ${ratio(t.msCpu, t.msOurs)} |`,
  ),
);
const errors = r.trainSteps.flatMap((t) => t.errors ?? []);
if (errors.length) lines.push('', ...errors.map((e) => `- ${e}`));
if (r.autotune) {
  const counts: Record<string, number> = {};
  for (const v of Object.values(r.autotune.choices)) counts[v] = (counts[v] ?? 0) + 1;
  lines.push(
    '',
    `Autotune (${r.autotune.adapter}): ${Object.keys(r.autotune.choices).length} shape classes; chosen: ${Object.entries(
      counts,
    )
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ')}.`,
  );
}
if (r.profile) {
  lines.push(
    '',
    `Profile of one ${r.profile.arch} step (${r.profile.size} px, b${r.profile.bs}, ours): ${f(r.profile.wallMs, 0)} ms wall, ${r.profile.rows.reduce((a, x) => a + x.calls, 0)} kernel calls.`,
    '',
    ...profileTable('tfjs kernel', r.profile.rows, 12),
  );
  if (r.profile.byShape)
    lines.push(
      '',
      ...profileTable('tfjs kernel and input shapes (top 15 by GPU ms)', r.profile.byShape, 15),
    );
}
console.log(lines.join('\n'));

/** A profile's rows as a Markdown table, the `top` most expensive first. */
function profileTable(title: string, rows: ProfileRow[], top: number): string[] {
  return [
    `| ${title} | calls | GPU ms |`,
    '|---|---:|---:|',
    ...[...rows]
      .sort((a, b) => b.kernelMs - a.kernelMs)
      .slice(0, top)
      .map((x) => `| ${x.kernel} | ${x.calls} | ${f(x.kernelMs, 0)} |`),
  ];
}
