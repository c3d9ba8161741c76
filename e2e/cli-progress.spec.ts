// `npm run cli -- train` as a user runs it: progress on stderr while it trains, the result alone
// on stdout (scripts/cliProgress.ts, src/page/cli/progress.ts).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

// Beside the repo, as the other specs expect; $STUDIO_DATASETS when the checkout lives elsewhere.
const DATASETS =
  process.env.STUDIO_DATASETS ?? resolve(import.meta.dirname, '../../shared/datasets');
const MESSY = resolve(DATASETS, 'messy_two_class');
const TRAIN = [
  'train',
  MESSY,
  '--arch',
  'tiny-bn-cnn',
  '--size',
  '64',
  '--bs',
  '4',
  '--lr',
  '1e-2',
];

async function cli(args: string[]) {
  const r = await promisify(execFile)('npx', ['tsx', 'scripts/cli.ts', ...args], {
    cwd: resolve(import.meta.dirname, '..'),
    maxBuffer: 1 << 26,
  });
  return { stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l.startsWith('[train]')) };
}

test('train prints epoch rows and timed progress lines on stderr, JSON alone on stdout', async () => {
  const { stdout, stderr } = await cli([
    ...TRAIN,
    // Long enough (and polled often enough) that a progress line lands inside the fit: three
    // epochs of this net took under a poll interval on a quiet machine.
    '--one-cycle',
    '8',
    '--json',
    '--progress-every',
    '0.2',
  ]);
  const result = JSON.parse(stdout) as {
    epochs: unknown[];
    size: number;
    recipe: string;
    source: Record<string, unknown>;
  };
  expect(result.epochs).toHaveLength(8);
  expect(result.size).toBe(64);
  // The pixels it trained on: the 100x100 photos, whole since the import, cover a 64 px short
  // side (the 1x1 image stays 1x1).
  expect(result.source).toMatchObject({ side: 64, of: 'short', medianShortSide: 100 });
  expect(result.source.minShortSide).toBe(1);
  expect(result.recipe).toMatch(
    /vision_learner\(tiny-bn-cnn, pretrained=False\), one_cycle\(8, 0.0100\)/,
  );
  for (const e of [0, 1, 2])
    expect(stderr).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\[train\\] epoch ${e}: train_loss \\d+\\.\\d{4} valid_loss \\d+\\.\\d{4} .* · [\\d.]+s$`,
        ),
      ),
    );
  const batchLine =
    /^\[train\] one_cycle epoch \d batch \d+\/\d+ loss \d+\.\d{4} [\d.]+ img\/s ETA \d+:\d\d · \d+:\d\d elapsed$/;
  expect(stderr.filter((l) => batchLine.test(l)).length).toBeGreaterThan(0);
});

test('--quiet keeps stderr free of progress', async () => {
  const { stdout, stderr } = await cli([
    ...TRAIN,
    '--one-cycle',
    '1',
    '--quiet',
    '--progress-every',
    '0.5',
  ]);
  expect(JSON.parse(stdout).epochs).toHaveLength(1);
  expect(stderr).toEqual([]);
});
