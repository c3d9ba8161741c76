import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, runInPage, test } from './fixtures';

const SIGNS = fileURLToPath(new URL('../../shared/datasets/sign_language_digits', import.meta.url));
const MESSY = fileURLToPath(new URL('../../shared/datasets/messy_two_class', import.meta.url));

interface Img {
  width: number;
  height: number;
  rgb: number[];
}

/** Mean absolute difference of two same-size RGB images, after optionally rotating `a` 90 degrees clockwise. */
function meanDiff(a: Img, b: Img, rotate = false): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let s = 0;
  for (let y = 0; y < b.height; y++)
    for (let x = 0; x < b.width; x++) {
      // Clockwise: output (x, y) comes from input (y, h-1-x).
      const [sx, sy] = rotate ? [y, a.height - 1 - x] : [x, y];
      for (let c = 0; c < 3; c++)
        s += Math.abs(a.rgb[(sy * a.width + sx) * 3 + c] - b.rgb[(y * b.width + x) * 3 + c]);
    }
  return s / (b.width * b.height * 3);
}

test('imports a real messy folder through the directory input: summary, skips, upright EXIF, thumbnails, show_batch', async ({
  page,
}) => {
  await page.goto('/');
  await page.setInputFiles('#folder-input', MESSY);
  const summary = page.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('summary-line')).toContainText('2 classes');
  // 24 image files per class, minus a zero-byte, a text file named .jpg and a truncated JPEG.
  await expect(page.locator('[data-testid=class-counts] tr[data-class=one]')).toBeVisible();
  const counts = await page.evaluate(() => window.studioStore!().dataSummary!);
  expect(counts.counts.train.one + counts.counts.valid.one).toBe(21);
  expect(counts.counts.train.two + counts.counts.valid.two).toBe(21);
  const reasons = Object.fromEntries(
    counts.skipped.map((s) => [s.path.replace('messy_two_class/', ''), s.reason]),
  );
  expect(reasons['one/zero_bytes.jpg']).toBe('empty file (0 bytes)');
  expect(reasons['two/not_an_image.jpg']).toBe('not an image (text content)');
  expect(reasons['one/truncated.jpg']).toMatch(/truncated/);
  expect(reasons['two/notes.txt']).toMatch(/not an image/);
  expect(counts.skipped).toHaveLength(13);
  await expect(page.getByTestId('import-warnings')).toContainText(
    'ignored hidden folder messy_two_class/.hidden_folder/',
  );
  await page.getByTestId('skipped').click();
  await expect(page.getByTestId('skipped')).toContainText('truncated.jpg');
  await expect(page.locator('[data-testid=class-thumbnails] canvas')).toHaveCount(12);

  // EXIF orientation 6: stored rotated, decoded upright. The same photo sits in the folder as a
  // plain JPEG; the decoded pixels must match it, and must not match it once rotated back.
  const exif = await runInPage<Img>(page, 'data-image', {
    positionals: ['messy_two_class/one/exif_rotated.jpg'],
  });
  const plain = await runInPage<Img>(page, 'data-image', {
    positionals: ['messy_two_class/one/UPPER.JPEG'],
  });
  const upright = meanDiff(exif, plain);
  const sideways = meanDiff(exif, plain, true);
  expect(upright).toBeLessThan(8);
  expect(sideways).toBeGreaterThan(3 * upright + 10);
  // Huge images are shrunk into the cache, never kept whole.
  const huge = await runInPage<Img>(page, 'data-image', {
    positionals: ['messy_two_class/one/huge_6000x4000.jpg'],
  });
  expect([huge.width, huge.height]).toEqual([128, 85]);

  await page.getByTestId('show-batch').click();
  const grid = page.getByTestId('batch-grid');
  await expect(grid.locator('figure')).toHaveCount(12, { timeout: 120_000 });
  const captions = await grid.locator('figcaption').allTextContents();
  expect(captions.every((c) => c === 'one' || c === 'two')).toBe(true);
  // Augmented on the GPU: pixels in [0,255], not all alike, and the samples are 64 px squares.
  const batch = await page.evaluate(() =>
    window.studioStore!().dataBatch.map((b) => ({
      w: b.width,
      sum: b.rgb.reduce((s, v) => s + v, 0),
    })),
  );
  expect(batch.every((b) => b.w === 64)).toBe(true);
  expect(new Set(batch.map((b) => b.sum)).size).toBeGreaterThan(6);
});

test('a synthetic drop of loose files, labelled by a file-name regex with a live preview', async ({
  page,
}) => {
  await page.goto('/');
  const files = [
    'one/img_0.jpg',
    'one/img_1.jpg',
    'one/img_2.jpg',
    'two/img_0.jpg',
    'two/img_1.jpg',
    'two/img_2.jpg',
    'one/notes.txt',
  ].map((p) => ({
    name: p.replace('/', '_'),
    b64: readFileSync(join(MESSY, p)).toString('base64'),
  }));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list)
      dt.items.add(
        new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, {
          type: 'image/jpeg',
        }),
      );
    document
      .querySelector('[data-testid=dropzone]')!
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  await expect(page.getByTestId('file-count')).toHaveText('7 files');
  // Loose files have no class folder: the folder labeller cannot label them.
  await expect(page.getByTestId('import-error')).toContainText('no usable images');

  await page.getByTestId('label-mode').selectOption('regex');
  await page.getByTestId('label-re').fill('^([a-z]+)_img_\\d+\\.jpg$');
  const preview = page.getByTestId('regex-preview');
  await expect(preview).toContainText('one_img_0.jpg');
  await expect(preview).toContainText('6 of 6 files get a label');
  await page.getByTestId('valid-pct').fill('34');
  await page.getByTestId('apply-import').click();
  await expect(page.getByTestId('summary-line')).toContainText('2 classes · 4 train · 2 valid');
  const s = await page.evaluate(() => window.studioStore!().dataSummary!);
  expect(s.skipped).toEqual([{ path: 'one_notes.txt', reason: 'not an image (.txt file)' }]);
});

test('imports 2062 photos without freezing the page, counts exactly as on disk', async ({
  page,
}) => {
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: [number, number][]; posts: number[] };
    w.longTasks = [];
    w.posts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    // Cloning File handles into the worker costs ~1 ms each: time every message.
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (
      this: Worker,
      ...a: Parameters<Worker['postMessage']>
    ) {
      const t = performance.now();
      post.apply(this, a);
      w.posts.push(performance.now() - t);
    } as Worker['postMessage'];
  });
  await page.goto('/');
  await page.waitForFunction(() => window.studioCli !== undefined);
  await page.setInputFiles('#folder-input', SIGNS);
  // Chromium builds the FileList of 2062 files inside setInputFiles (as for a user's pick);
  // everything the studio does afterwards must leave the page responsive.
  const after = await page.evaluate(() => performance.now());
  await expect(page.getByTestId('summary-line')).toContainText('10 classes', { timeout: 180_000 });
  const { summary, longTasks, posts } = await page.evaluate(() => {
    const w = window as unknown as { longTasks: [number, number][]; posts: number[] };
    return { summary: window.studioStore!().dataSummary!, longTasks: w.longTasks, posts: w.posts };
  });
  expect(summary.split).toBe('folders');
  expect(summary.images).toEqual({ train: 1653, valid: 409, test: 0 });
  expect(summary.counts.train['7']).toBe(165);
  expect(summary.counts.valid['7']).toBe(41);
  expect(summary.skipped).toEqual([]);
  expect(posts.length).toBeGreaterThan(2062 / 20);
  // One message with all 2062 files blocked the page for 2 s on an idle machine (8 s under load);
  // chunks of 10 take a few ms. The bounds are loose because this 2-core machine is shared with
  // other jobs (a GC pause or a descheduled renderer can take a few hundred ms): a freeze is seconds.
  expect(Math.max(...posts)).toBeLessThan(1000);
  expect(longTasks.filter(([start, d]) => start > after && d > 1000)).toEqual([]);
});
