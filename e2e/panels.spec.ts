// The flow of panels as a keyboard user and a model-importing user meet it: tabs by arrow keys,
// the Model panel's choices and weight import errors (the current model untouched), freeze and
// unfreeze, exports downloaded as files, light/dark. Screenshots go to docs/screenshots.
import { expect, test } from './fixtures';

const FIXTURES = 'tests/models/fixtures';

test('panels: keyboard flow, model choice and weight errors, freeze, export downloads, themes', async ({
  page,
}) => {
  await page.goto('/');
  await page.waitForFunction(() => window.studioStore?.().engineStatus === 'ready', null, {
    timeout: 120_000,
  });

  // Tabs: arrow keys move the selection and the focus (wrapping), Home/End jump; Tab enters the panel.
  const tabs = page.getByRole('tab');
  const ids = await tabs.evaluateAll((els) => els.map((e) => e.id.replace(/^tab-/, '')));
  expect(ids.slice(0, 3)).toEqual(['data', 'model', 'train']);
  expect(ids).toContain('export');
  await page.getByTestId('tab-data').focus();
  for (const id of ids.slice(1)) {
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId(`tab-${id}`)).toBeFocused();
    await expect(page.getByTestId(`tab-${id}`)).toHaveAttribute('aria-selected', 'true');
  }
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-data')).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByTestId(`tab-${ids.at(-1)}`)).toBeFocused();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('model-panel')).toBeVisible();
  // Only the selected tab is in the Tab order: the next Tab lands inside the panel.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('[role="tabpanel"]'))).toBe(
    true,
  );

  // Model panel: a tiny ResNet, random init; its one-line state shows in the nav.
  await page.getByTestId('arch-resnet-tiny').check();
  await expect(page.getByTestId('tab-model')).toContainText('tiny ResNet · random init');

  // Bad weight files: one clear message each, the choice stays as it was.
  await page.getByTestId('weights-arch').selectOption('resnet-tiny');
  await page.getByTestId('weights-input').setInputFiles(`${FIXTURES}/evil.pth`);
  await expect(page.getByTestId('model-error')).toContainText(/refus|not allowed|global/i);
  await expect(page.getByTestId('model-error')).toContainText('The current model is unchanged');
  await expect(page.getByTestId('model-weights')).toHaveText('random init');
  await page.getByTestId('weights-input').setInputFiles(`${FIXTURES}/tiny.pth`);
  await expect(page.getByTestId('model-error')).toContainText(/conv1\.weight|missing|unexpected/i);
  await expect(page.getByTestId('model-weights')).toHaveText('random init');
  await expect(page.getByTestId('arch-resnet-tiny')).toBeChecked();

  // The learner from this choice; freeze and unfreeze show in the panel and the nav.
  await page.getByTestId('model-setup').click();
  await expect(page.getByTestId('model-learner')).toContainText('parameters', { timeout: 120_000 });
  await expect(page.getByTestId('model-layer-groups')).toContainText('unfrozen');
  await page.getByTestId('model-freeze').click();
  await expect(page.getByTestId('model-layer-groups')).toContainText('frozen (');
  await expect(page.getByTestId('tab-model')).toContainText(/frozen · \d+ groups/);
  await page.screenshot({ path: 'docs/screenshots/model.png', fullPage: true });
  await page.getByTestId('model-unfreeze').click();
  await expect(page.getByTestId('model-layer-groups')).toContainText('unfrozen');

  // Export: each button downloads files (Blob + a[download]).
  await page.getByTestId('tab-export').click();
  await expect(page.getByTestId('export-script')).toBeEnabled();
  const script = page.waitForEvent('download');
  await page.getByTestId('export-script').click();
  expect((await script).suggestedFilename()).toMatch(/\.py$/);
  const session = page.waitForEvent('download');
  await page.getByTestId('export-session').click();
  expect((await session).suggestedFilename()).toMatch(/\.zip$/);
  await expect(page.getByTestId('export-files')).toContainText('.zip');
  // A file that is not a session archive: a clear message.
  await page.getByTestId('import-session').setInputFiles(`${FIXTURES}/tiny.json`);
  await expect(page.getByTestId('export-message')).toHaveClass(/error/);
  await expect(page.getByTestId('export-message')).toContainText('tiny.json');
  await expect(page.getByTestId('export-message')).not.toContainText('tiny.json: tiny.json');
  await page.screenshot({ path: 'docs/screenshots/export.png', fullPage: true });

  // Light and dark: the system preference by default, the toggle overrides it.
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const darkBg = await bg();
  await page.emulateMedia({ colorScheme: 'light' });
  const lightBg = await bg();
  expect(darkBg).not.toBe(lightBg);
  await page.getByTestId('theme-toggle').click(); // system -> light
  await page.getByTestId('theme-toggle').click(); // light -> dark
  await expect(page.getByTestId('theme-toggle')).toContainText('dark');
  expect(await bg()).toBe(darkBg);
  await page.getByTestId('tab-model').click();
  await page.screenshot({ path: 'docs/screenshots/dark.png', fullPage: true });
  await page.getByTestId('theme-toggle').click(); // dark -> system
});
