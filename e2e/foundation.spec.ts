import { cpuStarvedMs, expect, test } from './fixtures';

test('shows the WebGPU adapter and trains the demo CNN in the worker without blocking the page', async ({
  page,
}) => {
  // Record long tasks on the main thread from the very start.
  await page.addInitScript(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.goto('/');
  await expect(page.getByTestId('adapter-arch')).toBeVisible();
  // The built app runs under a strict Content-Security-Policy (vite.config.ts).
  expect(
    await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
  ).toContain("connect-src 'self'");
  const arch = await page.getByTestId('adapter-arch').textContent();
  expect(arch).toMatch(/\S+ · \S+/);
  await expect(page.getByTestId('adapter')).toContainText('shader-f16');
  // The worker also loaded tfjs's wasm engine (its binary served next to the bundle, SIMD).
  const info = await page.evaluate(() => window.studioCli!.run('info', {}));
  expect((info as { wasm: unknown }).wasm).toMatchObject({ ok: true, simd: true });

  const starved = await cpuStarvedMs(page);
  // Long tasks during page start-up (parsing the bundle) are not what this test is about.
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-demo').click();
  await expect(page.getByTestId('demo-result')).toBeVisible({ timeout: 180_000 });

  const { losses, longTasks } = await page.evaluate(() => ({
    losses: window.studioStore!().trainBatches.map((b) => b.loss),
    longTasks: (window as unknown as { longTasks: number[] }).longTasks,
  }));
  expect(losses.length).toBe(60);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  // The loss arrived in the store, batch by batch, and went down.
  expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
  const long = longTasks.filter((d) => d > 50);
  // Load on a shared machine comes and goes: a long task found is checked against a second probe.
  if (long.length) starved.push(...(await cpuStarvedMs(page)));
  if (starved.length) {
    const note = `page starved of CPU around training (1 ms tasks ran ${starved.join(', ')} ms late): long tasks ${JSON.stringify(long)} not enforced`;
    test.info().annotations.push({ type: 'long-tasks', description: note });
    console.warn(note);
  } else expect(long).toEqual([]);
  // No CSP violation or other error was logged along the way.
  expect(consoleErrors).toEqual([]);
});
