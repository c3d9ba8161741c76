// Test helper: generates the PyTorch reference fixtures (weights + logits) with Debian's
// /usr/bin/python3 + torch into a temp dir, or says why it cannot.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PYTHON = '/usr/bin/python3';

export function torchAvailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found: skipping the PyTorch parity check`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
  } catch {
    return `${PYTHON} has no torch/torchvision (apt install python3-torch python3-torchvision): skipping`;
  }
  return undefined;
}

/** Runs scripts/torch/<script> with `args(dir)` for a new temp dir; returns the dir. */
export function torchInto(script: string, args: (dir: string) => string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'studio-torch-ref-'));
  execFileSync(PYTHON, [resolve('scripts/torch', script), ...args(out)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

/** Runs scripts/torch/make_reference.py; returns the output dir. */
export const makeReference = (archs: string[], size: number) =>
  torchInto('make_reference.py', (out) => [out, '--size', String(size), '--arch', ...archs]);
