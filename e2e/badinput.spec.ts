// Messy input the unit tests cannot reach (tests/reliability/bad-input.test.ts has the rest):
// a picked file that can no longer be read when the import gets to it (deleted or changed on
// disk after it was picked: the browser throws NotReadableError/NotFoundError), and a folder with
// one class only. Each gets a clear message; the rest is imported; nothing crashes.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';

const MESSY = fileURLToPath(new URL('../../shared/datasets/messy_two_class', import.meta.url));
const CIFAR = fileURLToPath(new URL('../../shared/datasets/cifar10_small/train', import.meta.url));

test('a file gone before it is read, a 0-byte file, one class only: clear messages, no crash', async ({
  page,
}) => {
  const root = mkdtempSync(join(tmpdir(), 'studio-bad-'));
  try {
    const dir = join(root, 'messy');
    for (const cls of ['one', 'two']) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let i = 0; i < 4; i++)
        copyFileSync(join(MESSY, cls, 'huge_6000x4000.jpg'), join(dir, cls, `a_huge_${i}.jpg`));
      for (const f of readdirSync(join(CIFAR, cls === 'one' ? 'cat' : 'dog')).slice(0, 4))
        copyFileSync(join(CIFAR, cls === 'one' ? 'cat' : 'dog', f), join(dir, cls, `b_${f}`));
    }
    writeFileSync(join(dir, 'one', 'c_empty.jpg'), '');
    const victim = join(dir, 'two', 'z_vanishes.jpg');
    copyFileSync(join(MESSY, 'two', 'img_0.jpg'), victim);

    await page.goto('/');
    // Picked, then deleted before the import reads it. Deterministic: on the input itself the
    // change event is kept from bubbling up to React's root listener (Playwright's own listeners
    // still see it), the file is deleted, then a fresh change event is let through.
    await page.evaluate(() => {
      const input = document.getElementById('folder-input')!;
      const w = window as unknown as { held?: boolean; release?: () => void };
      const hold = (e: Event) => {
        e.stopPropagation();
        w.held = true;
      };
      input.addEventListener('change', hold);
      input.addEventListener('input', hold);
      w.release = () => {
        input.removeEventListener('change', hold);
        input.removeEventListener('input', hold);
        input.dispatchEvent(new Event('change', { bubbles: true }));
      };
    });
    await page.setInputFiles('#folder-input', dir);
    await page.waitForFunction(() => (window as unknown as { held?: boolean }).held);
    unlinkSync(victim);
    await page.evaluate(() => (window as unknown as { release: () => void }).release());
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 120_000 });
    const s = await page.evaluate(() => window.studioStore!().dataSummary!);
    const reasons = Object.fromEntries(s.skipped.map((x) => [x.path.split('/').pop(), x.reason]));
    expect(reasons['z_vanishes.jpg']).toMatch(
      /^could not be read \((NotReadableError|NotFoundError): no permission, or the file changed or moved\)$/,
    );
    expect(reasons['c_empty.jpg']).toBe('empty file (0 bytes)');
    expect(s.classes).toEqual(['one', 'two']);
    expect(s.images.train + s.images.valid).toBe(16);
    expect(s.errors).toEqual([]);
    await page.getByTestId('skipped').click();
    await expect(page.getByTestId('skipped')).toContainText('z_vanishes.jpg');

    // One class only: the import says a classifier needs two; the page keeps working.
    const single = join(root, 'single');
    mkdirSync(join(single, 'cat'), { recursive: true });
    for (const f of readdirSync(join(CIFAR, 'cat')).slice(0, 5))
      copyFileSync(join(CIFAR, 'cat', f), join(single, 'cat', f));
    await page.setInputFiles('#folder-input', single);
    await expect(page.getByTestId('import-error')).toContainText(
      'only one class (cat): a classifier needs at least two',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
