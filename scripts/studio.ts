// Build (when sources changed), serve and open the real studio in headless Chromium.
// One entry point for the CLI, e2e helpers and benchmarks.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCES = ['src', 'shaders', 'index.html', 'vite.config.ts', 'package.json', 'public'];
/** Where the built studio goes; STUDIO_DIST lets parallel runs keep separate builds. */
export const DIST = resolve(ROOT, process.env.STUDIO_DIST ?? 'dist');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

export async function ensureBuilt(log: (m: string) => void = () => {}): Promise<void> {
  const built = join(DIST, 'index.html');
  const stale =
    !existsSync(built) || SOURCES.some((s) => newestMtime(join(ROOT, s)) > statSync(built).mtimeMs);
  if (!stale) return;
  log('building the studio (vite build)…');
  await build({ root: ROOT, logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
}

export interface Studio {
  url: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Serves the built studio on 127.0.0.1 at a free port. */
export async function serveStudio(): Promise<{ url: string; close(): Promise<void> }> {
  const server: PreviewServer = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: DIST },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, close: () => server.close() };
}

export async function openStudio(
  opts: { log?: (m: string) => void; browserArgs?: string[] } = {},
): Promise<Studio> {
  await ensureBuilt(opts.log);
  const server = await serveStudio();
  const url = server.url;
  const browser = await launchBrowser(opts.browserArgs);
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') opts.log?.(`[page] ${m.text()}`);
  });
  page.on('pageerror', (e) => opts.log?.(`[page error] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.studioCli !== undefined);
  return {
    url,
    browser,
    page,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
