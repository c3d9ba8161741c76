// Privacy: a full run (import a folder, lr_find, train an epoch, export every format) sends
// nothing off the machine. Every request the page and its workers make is routed here; any
// non-localhost one is recorded and aborted. The built app's Content-Security-Policy is checked
// too: it allows only the page's own origin (plus the Hugging Face hub, for a weight download
// the user starts), it is sent as a response header for the page, the worker script and the
// assets (a module worker takes its policy from its own response, not from the page), and it
// actually blocks a stray fetch from the page and from inside the worker: a listener on another
// local port receives nothing.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, runInPage, test } from './fixtures';

const CIFAR = fileURLToPath(new URL('../../shared/datasets/cifar10_small/train', import.meta.url));
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

test('a full run (import, lr_find, train, export) attempts no request off the machine', async ({
  page,
}) => {
  // A small two-class folder in a temp dir (never in the repo).
  const root = mkdtempSync(join(tmpdir(), 'studio-net-'));
  const dir = join(root, 'pets');
  for (const cls of ['cat', 'dog']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (const f of readdirSync(join(CIFAR, cls)).sort().slice(0, 8))
      cpSync(join(CIFAR, cls, f), join(dir, cls, f));
  }
  const offMachine: string[] = [];
  const seen: string[] = [];
  const ctx = page.context();
  ctx.on('request', (r) => void seen.push(r.url()));
  await ctx.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (/^(https?|wss?):$/.test(url.protocol) && !LOCAL.has(url.hostname)) {
      offMachine.push(url.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  page.on('websocket', (ws) => {
    if (!LOCAL.has(new URL(ws.url()).hostname)) offMachine.push(ws.url());
  });
  const cspViolations: string[] = [];
  await page.exposeFunction('__cspViolation', (uri: string) => void cspViolations.push(uri));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __cspViolation(u: string): void }).__cspViolation(e.blockedURI),
    ),
  );

  // Another origin on this machine (another port): a fetch that got past the policy lands here.
  const leaked: string[] = [];
  const sink = createServer((req, res) => {
    leaked.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const policies = new Map<string, string | undefined>();
  page.on('response', (r) => void policies.set(r.url(), r.headers()['content-security-policy']));

  try {
    await page.goto('/');
    // The built page carries the strict policy, in a meta tag and as the response header.
    const csp = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(policies.get(page.url())).toBe(csp);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    const connect = csp!
      .split(';')
      .find((d) => d.trim().startsWith('connect-src'))!
      .trim();
    for (const src of connect.split(/\s+/).slice(1))
      expect(src).toMatch(/^('self'|https:\/\/(\*\.)?(huggingface\.co|hf\.co))$/);

    await page.setInputFiles('#folder-input', dir);
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
    const run = await runInPage<{ lrFind?: { lrs: number[] }; epochs: unknown[] }>(page, 'train', {
      arch: 'tiny-bn-cnn',
      size: 32,
      bs: 4,
      'lr-find': 1,
      'num-it': 12,
      'one-cycle': 1,
    });
    expect(run.lrFind!.lrs.length).toBeGreaterThan(5);
    expect(run.epochs).toHaveLength(1);
    const files = await runInPage<{ name: string; size: number }[]>(page, 'export', {
      format: 'all',
    });
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['model.safetensors', 'tfjs/model.json']),
    );

    // The recorder does see the workers' requests (the training worker's script is one).
    expect(seen.some((u) => /worker/i.test(u))).toBe(true);
    expect(seen.length).toBeGreaterThan(3);
    // And a stray fetch to another origin is refused by the policy before any request is made.
    const blocked = await page.evaluate(() =>
      fetch('https://example.com/collect').then(
        () => 'sent',
        () => 'refused',
      ),
    );
    expect(blocked).toBe('refused');
    await expect.poll(() => cspViolations).toContain('https://example.com/collect');
    expect(
      await page.evaluate(
        (u) =>
          fetch(u).then(
            () => 'sent',
            () => 'refused',
          ),
        sinkUrl,
      ),
    ).toBe('refused');

    // The worker got the policy with its own script, and enforces it.
    const worker = page.workers().find((w) => /worker/i.test(w.url()));
    expect(
      worker,
      page
        .workers()
        .map((w) => w.url())
        .join(', '),
    ).toBeDefined();
    expect(policies.get(worker!.url())).toBe(csp);
    const fromWorker = await worker!.evaluate(async (u) => {
      const seen: string[] = [];
      self.addEventListener('securitypolicyviolation', (e) => seen.push(e.blockedURI));
      const r = await fetch(`${u}/from-worker`).then(
        () => 'sent',
        () => 'refused',
      );
      await new Promise((ok) => setTimeout(ok, 200)); // the violation event is queued
      return { r, seen };
    }, sinkUrl);
    expect(fromWorker).toEqual({ r: 'refused', seen: [`${sinkUrl}/from-worker`] });
    expect(leaked).toEqual([]);
    expect(offMachine).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
    sink.close();
  }
});
