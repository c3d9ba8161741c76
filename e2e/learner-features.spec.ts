// What the Learner has, reached from the Train and Interpret panels and the CLI bridge, on the
// demo dataset at 16 px with the tiny BN net (one page: the shaders compile once): lr_find's
// suggestion choice, fit_sgdr / fit / SGD with momentum, TTA's metrics, keep-best, progressive
// resizing, and Pause.
import type { Page } from '@playwright/test';
import { expect, runInPage, test } from './fixtures';

interface Row {
  epoch: number;
  validLoss: number;
  metrics: Record<string, number>;
}
const store = <T>(page: Page, f: string) =>
  page.evaluate(
    (src) => new Function('s', `return ${src}`)(window.studioStore!()),
    f,
  ) as Promise<T>;
const idle = (page: Page) =>
  expect.poll(() => store(page, 's.trainStatus'), { timeout: 240_000 }).toBe('idle');

test.describe.configure({ mode: 'serial' });
let page: Page;
/** Mean loss of a fit's first ten batches: the fresh net's (the first fit) and one going on. */
const firstLoss = () =>
  store<number>(page, 's.trainBatches.slice(0, 10).reduce((a, b) => a + b.loss, 0) / 10');
let freshLoss = NaN;
test.beforeAll(async ({ browser, baseURL }) => {
  page = await browser.newPage({ baseURL });
  await page.goto('/');
  await page.getByTestId('tab-train').click();
  await page.getByLabel('batch size').fill('4');
  await page.getByLabel('image size').fill('16');
  await page.getByTestId('learn-setup').click();
  await expect(page.getByText(/groups · .* parameters/)).toBeVisible({ timeout: 120_000 });
});
test.afterAll(() => page.close());

test('lr_find: the chosen suggestions are marked, the primary fills the lr field', async () => {
  await page.getByTestId('lr-suggest-steep').check();
  await page.getByTestId('lr-find').click();
  const plot = page.getByTestId('lr-plot');
  await expect(plot).toBeVisible({ timeout: 180_000 });
  for (const n of ['valley', 'steep'])
    await expect(plot.locator(`[data-marker="${n}"]`)).toHaveCount(1);
  await expect(plot.locator('[data-marker="minimum"]')).toHaveCount(0);
  const s = await store<Record<string, { lr: number }>>(page, 's.lrFindResult.suggestions');
  expect(Object.keys(s)).toEqual(['valley', 'steep']);
  const field = page.getByTestId('fit-lr');
  await expect(field).toHaveValue(s.valley.lr.toExponential(2));
  await page.getByTestId('lr-suggest-primary').selectOption('steep');
  await expect(field).toHaveValue(s.steep.lr.toExponential(2));
  // One more ticked after the run: marked from the same curve, no new sweep.
  await page.getByTestId('lr-suggest-minimum').check();
  await expect(plot.locator('[data-marker="minimum"]')).toHaveCount(1);

  const cli = await runInPage<{ suggestion: number; suggestions: Record<string, { lr: number }> }>(
    page,
    'lr-find',
    { 'num-it': 30, suggest: 'steep,valley' },
  );
  expect(Object.keys(cli.suggestions)).toEqual(['steep', 'valley']);
  expect(cli.suggestion).toBe(cli.suggestions.steep.lr);
  await expect(runInPage(page, 'lr-find', { suggest: 'valley,best' })).rejects.toThrow(
    /--suggest valley,best: best unknown/,
  );
});

test('fit_sgdr cycles, fit at a constant LR with SGD + momentum, from the panel and the CLI', async () => {
  await page.getByTestId('fit-policy').selectOption('sgdr');
  await page.getByTestId('fit-epochs').fill('2'); // n_cycles
  await page.getByTestId('fit-cycle-len').fill('1');
  await page.getByTestId('fit-cycle-mult').fill('2');
  await page.getByTestId('fit-lr').fill('1e-2');
  await page.getByTestId('fit').click();
  await idle(page);
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(3);
  const sgdr = await store<{ iter: number; lr: number; epoch: number }[]>(page, 's.trainBatches');
  freshLoss = await firstLoss();
  // Each cycle starts at lr_max: epoch 0, then epoch 1 (the 2-epoch second cycle).
  for (const e of [0, 1]) expect(sgdr.find((b) => b.epoch === e)!.lr).toBeCloseTo(1e-2, 8);

  await page.getByTestId('fit-policy').selectOption('fit');
  await page.getByTestId('fit-epochs').fill('1');
  await page.getByTestId('fit-opt').selectOption('sgd');
  await page.getByTestId('fit-mom').fill('0.8');
  await page.getByTestId('fit').click();
  // The status may still read idle from the last fit when the poll starts: wait for a batch.
  await expect.poll(() => store(page, 's.trainBatches.length')).toBeGreaterThan(0);
  await idle(page);
  const fit = await store<{ lr: number; mom: number }[]>(page, 's.trainBatches');
  expect(new Set(fit.map((b) => b.lr))).toEqual(new Set([1e-2]));
  expect(new Set(fit.map((b) => b.mom))).toEqual(new Set([0.8]));
  expect(await store(page, 's.trainResult.stopped')).toBe(false);

  const r = await runInPage<{ rows: Row[] }>(page, 'fit', {
    policy: 'sgdr',
    epochs: 2,
    'cycle-len': 1,
    'cycle-mult': 1,
    opt: 'adam',
    wd: 0.1,
    mixup: 0.2,
    lr: 1e-2,
  });
  expect(r.rows).toHaveLength(2);
  await expect(runInPage(page, 'fit', { opt: 'lamb' })).rejects.toThrow(/--opt lamb/);
});

test('TTA: the metrics without and with it, side by side in Interpret and from the CLI', async () => {
  const last = await store<Row>(page, 's.trainResult.rows.at(-1)');
  await page.getByTestId('tab-interpret').click();
  await page.getByTestId('tta-run').click();
  const table = page.getByTestId('tta-table');
  await expect(table).toBeVisible({ timeout: 120_000 });
  const acc = table.locator('tr[data-metric="accuracy"] td');
  await expect(acc).toHaveCount(3);
  // Without TTA is the validation pass the last epoch made.
  await expect(acc.nth(1)).toHaveText(last.metrics.accuracy.toFixed(4));
  const cli = await runInPage<{ tta: { n: number; plain: Record<string, number> } }>(
    page,
    'interpret',
    { tta: true },
  );
  expect(cli.tta.plain.accuracy).toBeCloseTo(last.metrics.accuracy, 6);
  expect(cli.tta.n).toBe(16);
});

test('keep best model: the kept epoch is marked, and Interpret runs on its weights', async () => {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('fit-opt').selectOption('adam');
  await page.getByTestId('fit-mom').fill('0.9');
  await page.getByTestId('fit-save-best').check();
  await page.getByTestId('fit-epochs').fill('3');
  await page.getByTestId('fit-lr').fill('5e-2'); // constant and high: valid_loss goes up and down
  await page.getByTestId('fit').click();
  await idle(page);
  const rows = await store<Row[]>(page, 's.trainResult.rows');
  const losses = rows.map((r) => r.validLoss);
  const best = losses.indexOf(Math.min(...losses));
  console.log(`valid_loss by epoch ${losses.map((l) => l.toFixed(4)).join(' ')}; kept ${best}`);
  expect(await store(page, 's.trainResult.kept')).toBe(best);
  // Seeded data and init: the best epoch is not the last, so Interpret's loss tells them apart.
  expect(best).toBeLessThan(rows.length - 1);
  const kept = page.getByTestId('epoch-kept');
  await expect(kept).toHaveCount(1);
  await expect(kept.locator('td').first()).toHaveText(`${best} ★`);
  const r = await runInPage<{ losses: number[] }>(page, 'interpret', {});
  const mean = r.losses.reduce((a, b) => a + b, 0) / r.losses.length;
  expect(mean).toBeCloseTo(losses[best], 3);
  await page.getByTestId('fit-save-best').uncheck();
});

test('progressive resizing: continue at 24 px on the same weights; the CLI too', async () => {
  const setup = await store(page, 's.trainSetup');
  await page.getByTestId('fit-policy').selectOption('one_cycle');
  await page.getByTestId('fit-epochs').fill('1');
  await page.getByTestId('fit-lr').fill('1e-2');
  await page.getByTestId('fit-size').fill('24');
  await page.getByTestId('fit').click();
  await idle(page);
  expect(await store(page, 's.trainResult.size')).toBe(24);
  expect(await store(page, 's.trainSetup')).toEqual(setup); // no new learner
  // Trained weights at 24 px: the first batches' loss is well below the fresh net's first fit's.
  const going = await firstLoss();
  console.log(
    `first ten batches' mean loss: fresh ${freshLoss.toFixed(3)}, at 24 px ${going.toFixed(3)}`,
  );
  expect(going).toBeLessThan(freshLoss - 0.15);
  const cli = await runInPage<{ size: number; rows: Row[] }>(page, 'fit', {
    epochs: 1,
    size: 32,
    lr: 1e-3,
  });
  expect(cli.size).toBe(32);
  await page.getByTestId('fit-size').fill('');
});

test('Pause: no batches while paused; after Resume the run ends with every iteration once', async () => {
  await page.getByTestId('fit-policy').selectOption('one_cycle');
  await page.getByTestId('fit-epochs').fill('3');
  await page.getByTestId('fit').click();
  await expect.poll(() => store(page, 's.trainBatches.length')).toBeGreaterThanOrEqual(5);
  await page.getByTestId('fit-pause').click();
  await expect(page.getByTestId('fit-pause')).toHaveText('Resume');
  await page.waitForTimeout(1500); // the batch in flight lands
  const held = await store<number>(page, 's.trainBatches.length');
  await page.waitForTimeout(3000);
  expect(await store(page, 's.trainBatches.length')).toBe(held);
  expect(await store(page, 's.trainStatus')).toBe('running');
  await page.getByTestId('fit-pause').click();
  await idle(page);
  const of = await store<number>(page, 's.trainBatches[0].of');
  await expect.poll(() => store(page, 's.trainBatches.length')).toBe(of);
  const b = await store<{ iter: number; of: number }[]>(page, 's.trainBatches');
  expect(b.length).toBe(b[0].of);
  expect(b.map((x) => x.iter)).toEqual(Array.from({ length: b.length }, (_, i) => i + 1));
  // (Records reach the store in batched flushes: the last ones may land after the reply.)
  await expect.poll(() => store(page, 's.trainEpochs.map((e) => e.epoch)')).toEqual([0, 1, 2]);
  expect(await store(page, 's.trainResult.stopped')).toBe(false);
});
