// Host it anywhere: the built dist/ served by a plain static server under a sub-path (no Vite)
// starts, loads the bundled ResNet50 and predicts; every request stays under that sub-path (no
// absolute URL left in the app). A second visit with the network gone (the browser offline
// and the server stopped) starts and predicts from the service worker's shell and the cached model.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Page } from '@playwright/test';
import { DIST } from '../scripts/studio';
import { CONTENT_SECURITY_POLICY } from '../vite.config';
import { expect, runInPage, test } from './fixtures';

const SUB = '/some/sub/path/';
const COCO = '../shared/datasets/coco128_multilabel/images/val2017';
const BEAR = '000000000285.jpg';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/** A static host as README describes it: the files of dist/ under SUB, with the CSP header. */
function staticHost() {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requested.push(path);
    const rel = path.startsWith(SUB) ? path.slice(SUB.length) || 'index.html' : undefined;
    const file = rel === undefined ? '' : normalize(join(DIST, rel));
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    createReadStream(file).pipe(res);
  });
  return { server, requested };
}

async function startsAndPredicts(page: Page, url: string) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await expect(page.getByTestId('adapter-arch')).toBeVisible();
  // tfjs's wasm engine too: its binary is found next to the worker, wherever the site lives.
  const info = await runInPage<{ wasm: unknown }>(page, 'info');
  expect(info.wasm).toMatchObject({ ok: true, simd: true });
  await runInPage(page, 'studio-kernels', { enabled: false });
  const [out] = await runInPage<{ top: { label: string; prob: number }[] }[]>(page, 'predict', {
    arch: 'resnet50-imagenet',
    top: 3,
    images: [{ path: BEAR, base64: readFileSync(join(COCO, BEAR)).toString('base64') }],
  });
  expect(errors).toEqual([]);
  return out.top;
}

test('the built site works from a sub-path, and offline on a second visit', async ({ browser }) => {
  // Two 224 px ResNet50 forwards (and two 100 MB model loads) on a busy 2-core machine.
  test.setTimeout(600_000);
  const { server, requested } = staticHost();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SUB}`;
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    const online = await startsAndPredicts(first, url);
    expect(online[0].label).toBe('brown_bear');
    // Nothing asked for a path outside the sub-path (the worker, wasm, models, icons, manifest).
    expect(requested.filter((p) => !p.startsWith(SUB))).toEqual([]);
    expect(requested).toContain(`${SUB}models/resnet50-imagenet/model.json`);
    expect(requested).toContain(`${SUB}manifest.webmanifest`);

    // The service worker is active and holds the app shell; the model was cached when fetched.
    const cached = await first.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const names = await caches.keys();
      const urls = async (name: string) =>
        (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await urls(n)])));
    });
    const shell = Object.keys(cached).find((n) => n.startsWith('studio-shell-'));
    expect(shell, Object.keys(cached).join(', ')).toBeDefined();
    expect(cached[shell!]).toEqual(
      expect.arrayContaining([`${SUB}index.html`, expect.stringMatching(/\/assets\/worker-/)]),
    );
    expect(cached[shell!].some((p: string) => p.includes('/models/'))).toBe(false);
    expect(Object.values(cached).flat()).toContain(`${SUB}models/resnet50-imagenet/model.json`);
    await first.close();

    // Second visit: no network at all.
    await context.setOffline(true);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    const second = await context.newPage();
    const offline = await startsAndPredicts(second, url);
    expect(await second.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    expect(offline.map((t) => t.label)).toEqual(online.map((t) => t.label));
    offline.forEach((t, i) => expect(t.prob).toBeCloseTo(online[i].prob, 4));
  } finally {
    await context.close();
    server.close();
  }
});
