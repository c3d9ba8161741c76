// Shared e2e fixtures: the built studio served once per Playwright worker on a free port,
// and `baseURL` pointing at it, so specs just `page.goto('/')`.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { serveStudio } from '../scripts/studio';

export const test = base.extend<object, { studioUrl: string }>({
  studioUrl: [
    async ({}, use) => {
      const server = await serveStudio();
      await use(server.url);
      await server.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ studioUrl }, use) => use(studioUrl),
});

export { expect };

/** Runs a CLI-bridge command in the page, as `npm run cli` does. */
export async function runInPage<T>(
  page: import('@playwright/test').Page,
  command: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  await page.waitForFunction(() => window.studioCli !== undefined);
  return (await page.evaluate(
    ([c, a]) => window.studioCli!.run(c as string, a as Record<string, string>),
    [command, args] as const,
  )) as T;
}

/**
 * Is the page starved of CPU (other processes on a 2-core machine)? Tasks of ~1 ms of work for
 * 3 s; returns how late the ones over 50 ms ran (empty: not starved). When it is starved, a
 * long-task count says nothing about the studio, so specs report it instead of enforcing it.
 */
export async function cpuStarvedMs(page: import('@playwright/test').Page): Promise<number[]> {
  return page.evaluate(async () => {
    const slow: number[] = [];
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 20));
      const t = performance.now();
      let x = 0;
      while (performance.now() - t < 1) x++;
      // A 20 ms timer firing over 50 ms late, or 1 ms of work taking over 50 ms: starved.
      const d = Math.max(t - t0 - 20, performance.now() - t);
      if (d > 50 && x >= 0) slow.push(Math.round(d));
    }
    return slow;
  });
}

/** A temp train/val folder with the first `per[split]` images of each class of a dataset under
 * ../shared/datasets (read in place, never copied into the repo), for the folder input. */
export function datasetSubset(
  root: string,
  classes: string[],
  per: { train: number; val: number },
  prefix: string,
): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const split of ['train', 'val'] as const)
    for (const c of classes) {
      mkdirSync(join(dir, split, c), { recursive: true });
      for (const f of readdirSync(join(root, split, c))
        .sort()
        .slice(0, per[split]))
        copyFileSync(join(root, split, c, f), join(dir, split, c, f));
    }
  return dir;
}
