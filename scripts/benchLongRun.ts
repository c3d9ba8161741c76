// Long runs and large folders (issue: reliability). `npx tsx scripts/benchLongRun.ts
// [--epochs 20] [--images 10000] [--part a|b|ab] [--report FILE]`, with STUDIO_DIST set.
//  A. N epochs of a small model (tiny-bn-cnn, demo data, 32 px) in one fit: after each epoch,
//     the worker's tf.memory() (tensor count, GPU bytes), the page's JS heap (CDP
//     Performance.getMetrics), and the resident memory of the browser's processes (renderer:
//     page + training worker; GPU process: SwiftShader's "GPU memory" is host memory there).
//  B. A folder of `--images` CIFAR-sized images (copies of ../shared/datasets/cifar10_small
//     under new names, in a temp dir that is removed afterwards) imported through the Data
//     panel's folder input, then one epoch: peak resident memory while it runs.
// Memory is read from /proc (Linux): the browser is found by a marker switch on its command
// line, its processes are its descendants, typed by their --type= switch.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { openStudio } from './studio';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '20' },
    images: { type: 'string', default: '10000' },
    part: { type: 'string', default: 'ab' },
    report: { type: 'string' },
  },
});
const EPOCHS = Number(values.epochs);
const IMAGES = Number(values.images);
const CIFAR = join(import.meta.dirname, '../../shared/datasets/cifar10_small');
const MARKER = `--studio-bench-${process.pid}`;
const MB = 2 ** 20;

// ************* process memory *************

interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
  rss: number;
}
function procs(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const rssKb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      out.push({ pid: Number(d), ppid, cmd, rss: rssKb ? Number(rssKb[1]) * 1024 : 0 });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
/** RSS of the marked browser's process tree, by process type. */
function browserRss(): Record<string, number> {
  const all = procs();
  const root = all.find((p) => p.cmd.includes(MARKER) && !p.cmd.includes('--type='));
  if (!root) return {};
  const tree = new Set([root.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
  }
  const by: Record<string, number> = { total: 0 };
  for (const p of all) {
    if (!tree.has(p.pid)) continue;
    const type = /--type=([\w-]+)/.exec(p.cmd)?.[1] ?? 'browser';
    by[type] = (by[type] ?? 0) + p.rss;
    by.total += p.rss;
  }
  return by;
}

// ************* page helpers *************

const run = <T>(page: Page, cmd: string, args: Record<string, unknown> = {}) =>
  page.evaluate(([c, a]) => window.studioCli!.run(c as string, a as Record<string, string>), [
    cmd,
    args,
  ] as const) as Promise<T>;

interface MemStats {
  numTensors: number;
  numBytesInGPU?: number;
  numBytesInGPUAllocated?: number;
  jsHeapUsed?: number;
}

async function pageHeap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
}

const fmt = (b?: number) => (b === undefined || !Number.isFinite(b) ? '—' : (b / MB).toFixed(1));

// ************* A: many epochs *************

async function partA(page: Page) {
  await run(page, 'learn-setup', {
    'stock-kernels': 1,
    size: 32,
    bs: 16,
    'n-train': 8,
    'n-valid': 2,
    seed: 1,
  });
  const rows: {
    epoch: number;
    numTensors: number;
    gpuBytes?: number;
    gpuAllocated?: number;
    workerHeap?: number;
    pageHeap: number;
    rss: Record<string, number>;
    seconds: number;
  }[] = [];
  const fit = run(page, 'fit', { epochs: EPOCHS, lr: 1e-2 });
  let done = false;
  void fit.finally(() => (done = true));
  let seen = 0;
  const t0 = Date.now();
  while (!done || seen < EPOCHS) {
    const n = await page.evaluate(() => window.studioStore!().trainEpochs.length);
    if (n > seen) {
      // Sampled right after the epoch's row arrived (the worker answers between batches).
      const epochRow = await page.evaluate((i) => window.studioStore!().trainEpochs[i], n - 1);
      const m = await run<MemStats>(page, 'mem-stats');
      rows.push({
        epoch: n - 1,
        numTensors: epochRow.numTensors,
        gpuBytes: m.numBytesInGPU,
        gpuAllocated: m.numBytesInGPUAllocated,
        workerHeap: m.jsHeapUsed,
        pageHeap: await pageHeap(page),
        rss: browserRss(),
        seconds: (Date.now() - t0) / 1000,
      });
      console.log(
        `epoch ${n - 1}: tensors ${epochRow.numTensors}, GPU ${fmt(m.numBytesInGPU)} MB (pool ${fmt(m.numBytesInGPUAllocated)}), worker heap ${fmt(m.jsHeapUsed)} MB, page heap ${fmt(rows.at(-1)!.pageHeap)} MB, RSS ${fmt(rows.at(-1)!.rss.total)} MB`,
      );
      seen = n;
    } else if (done) break;
    else await new Promise((r) => setTimeout(r, 500));
  }
  await fit;
  return rows;
}

// ************* B: a large folder *************

function makeFolder(n: number): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'studio-10k-'));
  const dir = join(root, 'cifar10k');
  const classes = readdirSync(join(CIFAR, 'train')).sort();
  const src = classes.map((c) => [
    ...readdirSync(join(CIFAR, 'train', c)).map((f) => join(CIFAR, 'train', c, f)),
    ...readdirSync(join(CIFAR, 'val', c)).map((f) => join(CIFAR, 'val', c, f)),
  ]);
  for (const c of classes) mkdirSync(join(dir, c), { recursive: true });
  for (let i = 0; i < n; i++) {
    const k = i % classes.length;
    const files = src[k];
    const j = Math.floor(i / classes.length);
    copyFileSync(
      files[j % files.length],
      join(dir, classes[k], `img_${String(j).padStart(5, '0')}.jpg`),
    );
  }
  return { root, dir };
}

async function partB(page: Page) {
  const { root, dir } = makeFolder(IMAGES);
  const peak: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const [k, v] of Object.entries(browserRss())) peak[k] = Math.max(peak[k] ?? 0, v);
  }, 1000);
  try {
    const t0 = Date.now();
    await page.setInputFiles('#folder-input', dir);
    await page.waitForFunction(() => window.studioStore!().dataSummary !== undefined, undefined, {
      timeout: 30 * 60_000,
      polling: 1000,
    });
    const importSeconds = (Date.now() - t0) / 1000;
    const summary = await page.evaluate(() => window.studioStore!().dataSummary!);
    const afterImport = { ...browserRss() };
    const peakImport = { ...peak };
    console.log(
      `import of ${IMAGES}: ${importSeconds.toFixed(0)} s, ${summary.images.train} train / ${summary.images.valid} valid, RSS now ${fmt(afterImport.total)} MB, peak ${fmt(peak.total)} MB`,
    );
    await run(page, 'learn-setup', { 'stock-kernels': 1 }); // the stock-kernel switch only
    const t1 = Date.now();
    const fit = await page.evaluate(async () => {
      const s = window.studioStore!();
      await s.learnSetup({ data: 'imported', arch: 'tiny-bn-cnn', size: 32, bs: 64, aug: 'none' });
      const r = await window.studioStore!().fit({ epochs: 1, lr: 1e-2 });
      return r ? r.rows : window.studioStore!().trainError;
    });
    const trainSeconds = (Date.now() - t1) / 1000;
    console.log(`1 epoch: ${trainSeconds.toFixed(0)} s`, JSON.stringify(fit));
    const m = await run<MemStats>(page, 'mem-stats');
    return {
      images: IMAGES,
      counts: summary.images,
      skipped: summary.skipped.length,
      importSeconds,
      trainSeconds,
      fit,
      afterImport,
      peakImport,
      peak: { ...peak },
      endRss: browserRss(),
      worker: m,
      pageHeap: await pageHeap(page),
    };
  } finally {
    clearInterval(sampler);
    rmSync(root, { recursive: true, force: true });
  }
}

// ************* main *************

const studio = await openStudio({ log: (m) => console.log(m), browserArgs: [MARKER] });
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  adapter: await run(studio.page, 'info').then((i) => (i as { adapter: unknown }).adapter),
};
try {
  if (values.part!.includes('a')) report.longRun = await partA(studio.page);
  if (values.part!.includes('b')) {
    await studio.page.reload();
    await studio.page.waitForFunction(() => window.studioCli !== undefined);
    report.largeFolder = await partB(studio.page);
  }
} finally {
  await studio.close();
}
const out = JSON.stringify(report, null, 2);
if (values.report) writeFileSync(values.report, out);
else console.log(out);
