// Webcam capture into classes (Data panel), on Chromium's fake camera, which produces real
// moving frames: hold to capture into two classes, delete a bad frame, the captures import like
// dropped images (classes, counts, random split), a tiny model trains a step on them, and the
// session archive carries their JPEGs so a fresh page gets them back. A denied camera says so.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readCaptures } from '../src/export/sessionArchive';
import { launchOptions } from '../scripts/browser';
import { pullExport, type Listed } from '../scripts/cliExport';
import { expect, runInPage, test } from './fixtures';

test.use({
  launchOptions: launchOptions([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ]),
});

const thumbs = (page: Page, cls: string) =>
  page.locator(`[data-testid=capture-thumb][data-class="${cls}"]`);

/** Holds the capture button for `ms` with the class typed in; returns the class's frame count. */
async function capture(page: Page, cls: string, ms: number) {
  await page.getByTestId('webcam-class').fill(cls);
  await page.getByTestId('webcam-hold').hover();
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
  await expect(page.getByTestId('webcam-hold')).toHaveText('Hold to capture');
  return thumbs(page, cls).count();
}

/** Images of a class in the import summary (train + valid). */
async function imported(page: Page, cls: string) {
  const cells = await page.locator(`[data-testid=class-counts] tr[data-class="${cls}"] td`).all();
  const n = await Promise.all(cells.slice(1).map(async (c) => Number(await c.textContent())));
  return n.reduce((a, b) => a + b, 0);
}

test('webcam: capture two classes, delete a frame, import, train a step, keep them in the session', async ({
  page,
}) => {
  test.setTimeout(8 * 60_000);
  await page.goto('/');
  await page.getByText('Capture from the webcam').click();
  await page.getByTestId('webcam-start').click();
  await expect
    .poll(() => page.locator('video.webcam-video').evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);
  // A class name that is read as a split folder cannot be captured into.
  await page.getByTestId('webcam-class').fill('valid');
  await expect(page.getByTestId('webcam-hold')).toBeDisabled();

  const up = await capture(page, 'thumbs up', 2000);
  const wave = await capture(page, 'wave', 2000);
  expect(up).toBeGreaterThanOrEqual(4);
  expect(wave).toBeGreaterThanOrEqual(4);

  // A bad frame goes: one fewer thumbnail, and the import follows.
  await page
    .getByRole('button', { name: /^delete thumbs up capture / })
    .first()
    .click();
  await expect(thumbs(page, 'thumbs up')).toHaveCount(up - 1);
  await expect.poll(() => imported(page, 'thumbs up')).toBe(up - 1);
  expect(await imported(page, 'wave')).toBe(wave);
  await expect(page.getByTestId('summary-line')).toContainText('2 classes');
  await expect(page.getByTestId('summary-line')).toContainText('split by random');
  await expect(page.getByTestId('class-thumbnails')).toBeVisible();
  await page.getByTestId('data-panel').screenshot({ path: 'docs/screenshots/webcam.png' });

  // A tiny model trains on the captures (the same DataLoaders as dropped images).
  await runInPage(page, 'learn-setup', { arch: 'tiny-bn-cnn', size: 32, bs: 4, data: 'imported' });
  const fit = await runInPage<{ rows: unknown[] }>(page, 'fit', { epochs: 1, lr: 1e-2 });
  expect(fit.rows).toHaveLength(1);

  // The session archive holds the frames themselves: a fresh page gets them back.
  const dir = mkdtempSync(join(tmpdir(), 'studio-webcam-'));
  const listed = await runInPage<Listed[]>(page, 'export', { format: 'session' });
  const [zip] = await pullExport(page, listed, dir);
  const bytes = new Uint8Array(readFileSync(zip));
  const kept = readCaptures(bytes);
  expect(kept.filter((c) => c.cls === 'thumbs up')).toHaveLength(up - 1);
  expect(kept.filter((c) => c.cls === 'wave')).toHaveLength(wave);
  expect(kept.every((c) => c.bytes[0] === 0xff && c.bytes[1] === 0xd8)).toBe(true); // JPEG
  expect(Object.keys(unzipSync(bytes)).filter((n) => n.startsWith('captures/'))).toHaveLength(
    kept.length,
  );

  const fresh = await page.context().newPage();
  await fresh.goto('/');
  const r = await fresh.evaluate(
    (b64) => window.studioCli!.run('import-session', { base64: b64 }),
    Buffer.from(bytes).toString('base64'),
  );
  expect(r).toMatchObject({ epochs: 1 });
  await expect.poll(() => imported(fresh, 'thumbs up')).toBe(up - 1);
  expect(await imported(fresh, 'wave')).toBe(wave);
  await fresh.getByText('Capture from the webcam').click();
  await expect(thumbs(fresh, 'wave')).toHaveCount(wave);
});

test('webcam: a denied camera says why', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto('/');
  await page.getByText('Capture from the webcam').click();
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('webcam-error')).toContainText('camera access was denied');
  await expect(page.getByTestId('webcam-hold')).toBeDisabled();
});
