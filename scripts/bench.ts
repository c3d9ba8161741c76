// Formats a `npm run cli -- bench --report bench.json` report as the Markdown tables of
// BENCHMARKS.md: `npx tsx scripts/bench.ts bench.json`. Ratios only compare numbers measured
// in the same browser session on the same adapter.
import { readFileSync } from 'node:fs';
import type { BenchResult } from '../src/engine/kernels/bench';

const r = JSON.parse(readFileSync(process.argv[2] ?? 'bench.json', 'utf8')) as BenchResult;
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const lines = [
  '| kernel | shape | ours GFLOP/s | stock GFLOP/s | ours/stock | ours / best matmul |',
  '|---|---|---:|---:|---:|---:|',
  ...r.kernels.map(
    (k) =>
      `| ${k.name} | ${k.shape} | ${f(k.gflopsOurs)} | ${f(k.gflopsStock)} | ${f(k.gflopsOurs / k.gflopsStock, 1)}x | ${f((100 * k.gflopsOurs) / r.matmulBestGflops, 0)}% |`,
  ),
  '',
  `Best matmul (ours): ${f(r.matmulBestGflops)} GFLOP/s.`,
  '',
  '| train step | size | bs | ours ms | stock webgpu ms | speed-up |',
  '|---|---:|---:|---:|---:|---:|',
  ...r.trainSteps.map(
    (t) =>
      `| ${t.arch} | ${t.size} | ${t.bs} | ${f(t.msOurs, 0)} | ${f(t.msStockWebgpu, 0)} | ${f(t.msStockWebgpu / t.msOurs, 1)}x |`,
  ),
];
console.log(lines.join('\n'));
