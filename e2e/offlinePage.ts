// The exported one-file page (src/export/onefile) opened the way a user would: from file://, in
// a context that is offline and aborts every non-file request (recorded in `outside`).
import type { Browser } from '@playwright/test';
import { expect } from './fixtures';

export type Top = { label: string; prob: number }[];

/** Opens `html` offline; drops `images` on it; their top-3 by file name. */
export async function pageTops(browser: Browser, html: string, images: string[], tta = false) {
  const context = await browser.newContext();
  const outside: string[] = [];
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await context.setOffline(true);
  const page = await context.newPage();
  page.on('request', (r) => void (r.url().startsWith('file:') || outside.push(r.url())));
  await page.goto(`file://${html}`);
  await page.locator('#tta').setChecked(tta);
  await page.setInputFiles('#files', images);
  await expect(page.locator('body')).toHaveAttribute('data-done', String(images.length), {
    timeout: 120_000,
  });
  const read = (key: 'top' | 'probs') =>
    page
      .locator('#results li')
      .evaluateAll(
        (lis, k) =>
          Object.fromEntries(lis.map((li) => [li.dataset.name!, JSON.parse(li.dataset[k]!)])),
        key,
      );
  const tops = (await read('top')) as Record<string, Top>;
  const probs = (await read('probs')) as Record<string, number[]>;
  return { page, context, tops, probs, outside };
}
