// The one-by-one CLI commands on a saved session (each opens a fresh page): `train
// --save-session`, then `fit --session --data` continues that session (iterations go on, epochs
// add up), and `clean` edits the cleaner's overlay, which the next archive carries.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';

const DATASETS =
  process.env.STUDIO_DATASETS ?? resolve(import.meta.dirname, '../../shared/datasets');
const CIFAR = resolve(DATASETS, 'cifar10_small');
const CLASSES = ['airplane', 'automobile'];

/** train/<class>/ 16 each, val/<class>/ 8 each: 4 batches of 8 per epoch. */
function dataset(dir: string): string {
  const root = join(dir, 'cifar2');
  for (const [split, n] of [
    ['train', 16],
    ['val', 8],
  ] as const)
    for (const c of CLASSES) {
      mkdirSync(join(root, split, c), { recursive: true });
      for (const f of readdirSync(join(CIFAR, split, c))
        .sort()
        .slice(0, n))
        copyFileSync(join(CIFAR, split, c, f), join(root, split, c, f));
    }
  return root;
}

async function cli(args: string[]) {
  const r = await promisify(execFile)('npx', ['tsx', 'scripts/cli.ts', ...args, '--quiet'], {
    cwd: resolve(import.meta.dirname, '..'),
    maxBuffer: 1 << 26,
  });
  return JSON.parse(r.stdout);
}

const history = (zip: string) =>
  JSON.parse(new TextDecoder().decode(unzipSync(readFileSync(zip))['history.json'])) as {
    batches: { iter: number }[];
    epochs: unknown[];
  };

test('train --save-session, then fit and clean on the saved session', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-cli-session-'));
  try {
    const data = dataset(dir);
    const [s1, s2, s3] = ['s.zip', 's2.zip', 's3.zip'].map((f) => join(dir, f));
    const net = ['--arch', 'tiny-bn-cnn', '--size', '32', '--bs', '8', '--lr', '1e-2'];
    const trained = await cli(['train', data, ...net, '--one-cycle', '1', '--save-session', s1]);
    expect(trained.epochs).toHaveLength(1);
    const h1 = history(s1);
    expect(h1.batches).toHaveLength(4);
    expect(h1.epochs).toHaveLength(1);

    const fit = await cli([
      'fit',
      '--session',
      s1,
      '--data',
      data,
      '--epochs',
      '1',
      '--save-session',
      s2,
    ]);
    expect(fit.rows).toHaveLength(1);
    const state = await cli(['learn-state', '--session', s2, '--data', data]);
    expect(state).toMatchObject({ iterations: 8, epochs: 2 });
    expect(history(s2).batches.map((b) => b.iter)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // clean: relabel one image, list the validation set's worst, the overlay in the next archive.
    const path = 'cifar2/train/airplane/0000.jpg';
    const clean = await cli([
      'clean',
      '--session',
      s2,
      '--data',
      data,
      '--relabel',
      `${path}=automobile`,
      '--list',
      '--split',
      'valid',
      '--k',
      '3',
      '--save-session',
      s3,
    ]);
    expect(clean.items).toHaveLength(3);
    expect(clean.n).toBe(16);
    expect(clean.edits).toEqual([{ path, action: 'relabel', labels: ['automobile'] }]);
    const cleaner = JSON.parse(
      new TextDecoder().decode(unzipSync(readFileSync(s3))['cleaner.json']),
    );
    expect(cleaner.edits).toEqual(clean.edits);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
