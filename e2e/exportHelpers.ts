// Shared by the export specs: a tiny real dataset, the studio's pixels of an imported image,
// pulling an export to disk, and PyTorch's probabilities through scripts/torch/load_export.py.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

import { runInPage } from './fixtures';
import { pullExport, type Listed } from '../scripts/cliExport';
import { f32, writeSafetensorsTyped } from '../src/models/weights/safetensors';
import { PYTHON } from '../tests/models/torchRef';

const SIGNS = resolve('../shared/datasets/sign_language_digits');

/** A tiny 2-class copy of sign_language_digits (train/valid folders), in a temp dir. */
export function tinySigns(perClass = { train: 2, val: 2 }): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-signs-'));
  for (const split of ['train', 'val'] as const)
    for (const c of ['0', '1']) {
      const src = join(SIGNS, split, c);
      const out = join(dir, split === 'val' ? 'valid' : 'train', c);
      mkdirSync(out, { recursive: true });
      for (const f of readdirSync(src).sort().slice(0, perClass[split]))
        copyFileSync(join(src, f), join(out, f));
    }
  return dir;
}

/** Page paths of the valid images of a tinySigns folder (relative to its parent, as webkitRelativePath). */
export const validPaths = (data: string): string[] =>
  ['0', '1'].flatMap((c) =>
    readdirSync(join(data, 'valid', c)).map((f) => `${data.split('/').pop()}/valid/${c}/${f}`),
  );

/** Cached pixels of an imported image, box-downsampled to `size` (any input does; both sides get it). */
export async function pixels(page: Page, path: string, size: number): Promise<number[]> {
  const img = await runInPage<{ width: number; height: number; rgb: number[] }>(
    page,
    'data-image',
    { positionals: [path] },
  );
  const out: number[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const sx = Math.floor(((x + 0.5) * img.width) / size);
      const sy = Math.floor(((y + 0.5) * img.height) / size);
      for (let c = 0; c < 3; c++) out.push(img.rgb[(sy * img.width + sx) * 3 + c] / 255);
    }
  return out;
}

export async function exportTo(page: Page, format: string, dir: string): Promise<string[]> {
  const listed = await runInPage<Listed[]>(page, 'export', { format });
  return pullExport(page, listed, dir);
}

/** PyTorch's probabilities for NHWC [0,1] `input` through load_export.py on an export in `dir`. */
export function torchProbs(dir: string, input: number[], shape: number[]): number[][] {
  const x = new Map([['input', f32(shape, Float32Array.from(input))]]);
  writeFileSync(join(dir, 'input.safetensors'), writeSafetensorsTyped(x));
  const script = resolve('scripts/torch/load_export.py');
  execFileSync(PYTHON, [script, dir, join(dir, 'input.safetensors'), join(dir, 'out.json')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { probs: number[][] }).probs;
}

export const maxDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
