// A peer's test suite against our kernels: tfjs-core's own jasmine op tests (conv2d,
// conv2d_transpose, fused conv2d, matmul, fused matmul, batchnorm, moments; gradients
// included), shipped in the npm package's dist/, run in headless Chromium on the webgpu backend
// with the Studio kernels registered (e2e/tfjs-core/). Every spec must pass, or be listed in
// e2e/tfjs-core/exclusions.ts with its reason.
// In the main e2e run it takes a fast subset (FAST_FILES, ~100 cases incl. gradients); the full
// set (~260 cases, 3-6 min on SwiftShader) is `npm run test:tfjs-core`.
//   TFJS_CORE_FILES=all | conv2d,mat_mul   which files (keys of SPEC_FILES in main.ts)
//   TFJS_CORE_STOCK=1                      same specs on the stock tfjs-webgpu kernels
import { test, expect } from '@playwright/test';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import type { TfjsCoreRun } from './tfjs-core/main';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = join(ROOT, 'e2e/tfjs-core/vite.config.ts');
const OUT = resolve(ROOT, `${process.env.STUDIO_DIST ?? 'dist'}-tfjs-core`);
const SOURCES = ['src/engine', 'shaders', 'e2e/tfjs-core', 'package.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const FAST_FILES = 'conv2d,conv2d_transpose,fused_mat_mul,moments';

let server: PreviewServer;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const built = join(OUT, 'index.html');
  if (!existsSync(built) || SOURCES.some((s) => newest(join(ROOT, s)) > statSync(built).mtimeMs))
    await build({ configFile: CONFIG, build: { outDir: OUT } });
  server = await preview({
    configFile: CONFIG,
    build: { outDir: OUT },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
});

test.afterAll(async () => {
  await server?.close();
});

test('tfjs-core conv/matmul/batchnorm op tests pass on the Studio kernels', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const url = server.resolvedUrls?.local[0];
  const q = new URLSearchParams();
  const files = process.env.TFJS_CORE_FILES ?? FAST_FILES;
  if (files !== 'all') q.set('files', files);
  if (process.env.TFJS_CORE_STOCK) q.set('stock', '1');
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(`${url}?${q}`);
  await page.waitForFunction(() => window.tfjsCoreResults?.done === true, null, {
    timeout: 14 * 60_000,
    polling: 1000,
  });
  const r = (await page.evaluate(() => window.tfjsCoreResults)) as TfjsCoreRun;
  expect(r.error).toBeUndefined();

  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  const failed = r.results.filter((x) => x.status === 'failed');
  const unexplained = failed.filter((x) => !x.reason);
  console.log(
    `tfjs-core op tests (${r.stock ? 'stock' : 'Studio'} kernels, ${r.files.join(', ')}): ` +
      `${count('passed')} passed, ${failed.length} failed (${unexplained.length} not excluded), ` +
      `${count('excluded')} skipped by exclusion, ${r.seconds.toFixed(0)} s`,
  );
  console.log(`kernel calls (ours/stock fallback): ${JSON.stringify(r.kernelCalls)}`);
  for (const f of failed)
    console.log(
      `  FAIL${f.reason ? ` (excluded: ${f.reason})` : ''}: ${f.name}\n    ${f.messages.join('\n    ')}`,
    );

  expect(r.gpuErrors).toEqual([]);
  expect(count('passed')).toBeGreaterThan(0);
  expect(unexplained.map((x) => `${x.name}: ${x.messages[0] ?? ''}`)).toEqual([]);
});
