// Quick runner for the tfjs-core page outside Playwright's test runner (kernel work):
//   npx tsx e2e/tfjs-core/run.ts --check "Cin 5"       kernel-check cases matching the text
//   npx tsx e2e/tfjs-core/run.ts --query "files=conv2d&grep=gradient"   tfjs-core specs
// Builds the page into $STUDIO_DIST-tfjs-core, serves it, prints the JSON result.
import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { launchBrowser } from '../../scripts/browser';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = resolve(ROOT, 'e2e/tfjs-core/vite.config.ts');
const OUT = resolve(ROOT, `${process.env.STUDIO_DIST ?? 'dist'}-tfjs-core`);

await build({ configFile: CONFIG, build: { outDir: OUT } });
const server = await preview({
  configFile: CONFIG,
  build: { outDir: OUT },
  preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
});
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`));
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  const check = opt('--check');
  const extra = opt('--query') ?? '';
  const query = check !== undefined ? `check=${encodeURIComponent(check)}&${extra}` : extra;
  const t0 = Date.now();
  await page.goto(`${server.resolvedUrls!.local[0]}?${query}`);
  const key = check !== undefined ? 'kernelCheckResult' : 'tfjsCoreResults';
  await page.waitForFunction(
    (k) => {
      const r = (window as unknown as Record<string, { done?: boolean } | undefined>)[k];
      return r !== undefined && (k === 'kernelCheckResult' || r.done === true);
    },
    key,
    { timeout: Number(opt('--timeout') ?? 600) * 1000, polling: 500 },
  );
  const r = await page.evaluate((k) => (window as unknown as Record<string, unknown>)[k], key);
  console.log(JSON.stringify(r, null, 1));
  console.error(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  await browser.close();
  await server.close();
}
