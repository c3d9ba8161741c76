// Main-thread cost of a live-chart update with 10 000+ points, recharts vs the SVG chart, in the
// same browser, alternating page loads so machine load hits both alike. Fake batch records go in
// through the store's own applyTrainEvents (what worker events do); a MessageChannel ping loop
// records the longest main-thread task after each update. Writes test-results/charts-bench.json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { expect, test } from './fixtures';

type Kind = 'svg' | 'recharts' | 'idle';

async function measure(page: import('@playwright/test').Page, kind: Kind, updates: number) {
  await page.goto(`/?charts=${kind === 'idle' ? 'svg' : kind}`);
  await page.waitForFunction(() => window.studioStore !== undefined);
  await page.getByTestId('tab-train').click();
  return page.evaluate(
    async ([updates, apply]) => {
      const store = window.studioStore!;
      const per = 500;
      const total = per * updates;
      const gaps: number[] = [];
      let last = performance.now();
      let maxGap = 0;
      let running = true;
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        if (running) ch.port2.postMessage(0);
      };
      ch.port2.postMessage(0);
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      for (let u = 0; u < updates; u++) {
        const events = Array.from({ length: per }, (_, k) => {
          const iter = u * per + k + 1;
          const loss = 2 * Math.exp(-iter / 3000) + 0.3 * Math.random();
          return {
            type: 'trainBatch' as const,
            iter,
            of: total,
            epoch: Math.floor(iter / 1000),
            loss,
            smoothLoss: 2 * Math.exp(-iter / 3000),
            lr: 1e-3 * Math.sin((Math.PI * iter) / total),
            mom: 0.9,
            elapsed: iter * 0.01,
            bs: 16,
          };
        });
        const epochRows =
          (u * per) % 1000 === 500
            ? [
                {
                  type: 'trainEpoch' as const,
                  row: {
                    epoch: Math.floor((u * per) / 1000),
                    trainLoss: 1,
                    validLoss: 1.1,
                    metrics: { accuracy: 0.5 + u / (2 * updates) },
                    seconds: 10,
                    numTensors: 100,
                  },
                },
              ]
            : [];
        // Wait for the throttled chart render (about 1 s), then take this update's longest task.
        maxGap = 0;
        if (apply) store().applyTrainEvents([...events, ...epochRows] as never);
        await sleep(1300);
        gaps.push(maxGap);
      }
      running = false;
      const pts = Number(
        document
          .querySelector('[data-testid="loss-plot"] [data-series="train loss"]')
          ?.getAttribute('data-points') ?? 0,
      );
      return { gaps, points: pts };
    },
    [updates, kind !== 'idle'] as const,
  );
}

// A benchmark, not a check: it runs only when asked (`STUDIO_BENCH=1 npx playwright test e2e/charts-bench.spec.ts`).
test.skip(!process.env.STUDIO_BENCH, 'benchmark: set STUDIO_BENCH=1 to run it');

test('live charts: main-thread cost per update with 10 000 points, recharts vs SVG', async ({
  page,
}) => {
  test.setTimeout(5 * 60_000);
  const updates = 24; // 12 000 points at the end
  const runs: Record<Kind, number[]> = { svg: [], recharts: [], idle: [] };
  for (const kind of ['idle', 'svg', 'recharts', 'svg', 'recharts'] as Kind[]) {
    const r = await measure(page, kind, kind === 'idle' ? 8 : updates / 2);
    runs[kind].push(...r.gaps);
    if (kind !== 'idle') expect(r.points).toBe((updates / 2) * 500);
  }
  const stats = (a: number[]) => {
    const s = [...a].sort((x, y) => x - y);
    return {
      median: +s[Math.floor(s.length / 2)].toFixed(1),
      p90: +s[Math.floor(s.length * 0.9)].toFixed(1),
      max: +s.at(-1)!.toFixed(1),
    };
  };
  const result = {
    idle: stats(runs.idle),
    svg: stats(runs.svg),
    recharts: stats(runs.recharts),
    runs,
  };
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/charts-bench.json', JSON.stringify(result, null, 1));
  console.log(
    'longest main-thread task per chart update (ms):',
    JSON.stringify({ idle: result.idle, svg: result.svg, recharts: result.recharts }),
  );
});
