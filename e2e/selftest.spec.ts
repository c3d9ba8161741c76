// The kernel self-test on the real adapter: a clean start checks every Studio kernel, shows no
// note and caches the verdict (the next load skips the run); a kernel forced wrong (the test
// hook `self-test --break`, zeroing its output as some GPUs zero gradients) is refused, noted
// next to the adapter badge and in `info`, and the op then runs on stock tfjs, matching the CPU.
import type { KernelCheckResult, SelfTestReport, WorkerInfo } from '../src/shared/protocol';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, runInPage, test } from './fixtures';

const KERNELS = ['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'MaxPoolGrad', 'StudioBatchNorm'];

/** CPU seconds used so far by this test worker's child processes (the browser): unlike wall
 * time, it does not grow when other processes share the machine. NaN without Linux's /proc. */
function browserCpuSeconds(): number {
  if (!existsSync('/proc/self/stat')) return NaN;
  const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const mine = (pid: string) => {
    for (let p = pid, i = 0; i < 30 && p !== '0'; i++, p = stat(p)[1])
      if (p === String(process.pid)) return true;
    return false;
  };
  let s = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p)))
    try {
      if (pid !== String(process.pid) && mine(pid)) s += (+stat(pid)[11] + +stat(pid)[12]) / 100;
    } catch {
      // the process ended while we looked
    }
  return s;
}

test('a clean start passes the self-test, shows no note and caches the verdict', async ({
  page,
}) => {
  test.setTimeout(300_000);
  let cpu = browserCpuSeconds();
  await page.goto('/');
  const first = (await runInPage<WorkerInfo>(page, 'info')).selfTest;
  const firstCpu = browserCpuSeconds() - cpu;
  expect(first).toMatchObject({ cached: false, failed: [] });
  expect(first.error).toBeUndefined();
  expect(first.kernels).toEqual(expect.arrayContaining(KERNELS));
  await expect(page.getByTestId('adapter-arch')).toBeVisible();
  await expect(page.getByTestId('selftest-note')).toHaveCount(0);

  cpu = browserCpuSeconds();
  await page.reload();
  const second = (await runInPage<WorkerInfo>(page, 'info')).selfTest;
  const cachedCpu = browserCpuSeconds() - cpu;
  expect(second).toMatchObject({ cached: true, failed: [], ms: first.ms });
  // It runs at every first start (each e2e spec starts a fresh profile), so it must stay small:
  // the first start's CPU over a cached start's is the self-test plus ~0.7 s of first-start work
  // (wasm compile, caches); about 1.3 s on SwiftShader, wall time too on an idle machine.
  const extra = firstCpu - cachedCpu;
  console.log(`self-test: ${first.ms} ms wall, first start +${extra.toFixed(2)} s CPU`);
  if (!Number.isNaN(extra)) expect(extra).toBeLessThan(2.5);
});

test('a kernel that fails the self-test runs on stock tfjs, with a note', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  const clean = (await runInPage<WorkerInfo>(page, 'info')).selfTest;
  expect(clean.failed).toEqual([]);

  // The test hook names the kernels it can break; a typo changes nothing.
  await expect(runInPage(page, 'self-test', { break: 'Conv2d' })).rejects.toThrow(
    /cannot break 'Conv2d': one of Conv2D, /,
  );
  expect((await runInPage<WorkerInfo>(page, 'info')).selfTest.failed).toEqual([]);

  const r = await runInPage<SelfTestReport>(page, 'self-test', { break: 'Conv2DBackpropFilter' });
  expect(r.cached).toBe(false);
  expect(r.broken).toBe('Conv2DBackpropFilter');
  expect(r.failed.map((f) => f.kernel)).toEqual(['Conv2DBackpropFilter']);
  expect(r.failed[0].maxRelError).toBeGreaterThan(0.1);
  const note = page.getByTestId('selftest-note');
  await expect(note).toContainText('kernel Conv2DBackpropFilter failed the self-test');
  await expect(note).toContainText('using stock tfjs');
  await page.locator('header.topbar').screenshot({ path: 'docs/screenshots/selftest.png' });
  const info = await runInPage<WorkerInfo>(page, 'info');
  expect(info.selfTest.failed.map((f) => f.kernel)).toEqual(['Conv2DBackpropFilter']);

  // The op now runs on the stock kernel (the break is still armed on ours): the conv's weight
  // gradients match the CPU backend, and only stock backprop-filter calls were added.
  const only = 'conv 3x3 s1 same, Cin 5, Cout 7';
  const a = await runInPage<KernelCheckResult>(page, 'kernel-check', { only });
  const b = await runInPage<KernelCheckResult>(page, 'kernel-check', { only });
  for (const c of [...a.cases, ...b.cases]) expect(c.maxRelErrorVsCpu, c.name).toBeLessThan(1e-4);
  const [ca, cb] = [a.kernelCalls!.Conv2DBackpropFilter, b.kernelCalls!.Conv2DBackpropFilter];
  expect(cb.ours).toBe(ca.ours);
  expect(cb.stock).toBeGreaterThan(ca.stock);
  // Its neighbours stay ours.
  expect(b.kernelCalls!.Conv2D.ours).toBeGreaterThan(a.kernelCalls!.Conv2D.ours);

  // A forced run is never cached: the next load reuses the clean verdict.
  await page.reload();
  const after = (await runInPage<WorkerInfo>(page, 'info')).selfTest;
  expect(after).toMatchObject({ cached: true, failed: [] });
  await expect(page.getByTestId('selftest-note')).toHaveCount(0);
});
