// Shared e2e fixtures: the built studio served once per Playwright worker on a free port,
// and `baseURL` pointing at it, so specs just `page.goto('/')`.
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
