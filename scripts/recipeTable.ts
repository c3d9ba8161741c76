// bench-recipe's report as readable Markdown tables (stdout of `npm run cli -- bench-recipe`),
// the form BENCHMARKS.md quotes. Ratios only compare numbers measured in the same run.
import type { BenchRecipeResult, RecipeKernelRow, RecipeStepRow } from '../src/shared/protocol';

const f = (x: number | null | undefined, d = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—';
const gflops = (r: RecipeKernelRow) =>
  r.flops && r.kernelMs > 0 ? f(r.flops / r.kernelMs / 1e6, 2) : '—';

/** Ours over a reference engine's wall time for the same phase and size (`4.1x`), else blank. */
function vsOurs(r: RecipeStepRow, steps: RecipeStepRow[]) {
  if (r.engine === 'webgpu') return '';
  const ours = steps.find((s) => s.engine === 'webgpu' && s.phase === r.phase && s.size === r.size);
  return ours ? `${f(r.wallMs / ours.wallMs, 1)}x` : '';
}

export function recipeTable(r: BenchRecipeResult): string {
  const lines = [
    `bench-recipe on ${r.adapter}: ResNet50 (bundled Keras body + fastai head), bs ${r.bs}, ${f(r.seconds)} s.`,
    `Best matmul ${f(r.matmulBestGflops, 2)} GFLOP/s (register-tiled reference ${f(r.referenceBestGflops, 2)}).` +
      (r.gpuTimed ? '' : ' No timestamp queries on this adapter: GPU ms are not measured.'),
    '',
    '| phase | size | engine | wall ms | GPU ms | readbacks (ms) | JS ms | dispatches | GFLOP | GFLOP/s | of best matmul | engine / ours |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.steps.map(
      (s) =>
        `| ${s.phase} | ${s.size} | ${s.engine} | ${f(s.wallMs)} | ${f(s.gpuMs)} | ` +
        `${s.syncs === null ? '—' : `${s.syncs} (${f(s.syncMs)})`} | ${f(s.jsMs)} | ${f(s.dispatches)} | ` +
        `${f(s.flops / 1e9, 1)} | ${f(s.gflops, 2)} | ${f(100 * s.ofBestMatmul)} % | ${vsOurs(s, r.steps)} |`,
    ),
    '',
    ...r.precompute.map(
      (p) =>
        `Precompute at ${p.size} px runs on ${p.engine} (${p.reason}): ${f(p.webgpuOverChosen, 1)}x faster than webgpu.`,
    ),
  ];
  for (const s of r.steps.filter((x) => x.families)) {
    const fam = s
      .families!.filter((k) => k.kernelMs > 0 || k.flops)
      .slice(0, 8)
      .map((k) => `${k.kernel} ${f(k.kernelMs)} ms (${k.calls})`);
    lines.push(
      '',
      `${s.phase} ${s.size} px: ${fam.join(', ') || 'no GPU kernel times'}.`,
      '',
      '| kernel and input shapes | GEMM dims | calls | GPU ms | GFLOP/s |',
      '|---|---|---:|---:|---:|',
      ...s.shapes!.map(
        (k) => `| ${k.kernel} | ${k.dims ?? ''} | ${k.calls} | ${f(k.kernelMs)} | ${gflops(k)} |`,
      ),
    );
  }
  if (r.errors.length) lines.push('', ...r.errors.map((e) => `- ${e}`));
  return lines.join('\n');
}
