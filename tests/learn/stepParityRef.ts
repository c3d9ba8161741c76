// Test helper for the step-by-step fine_tune parity (src/worker/diagnostics/stepParity.ts), shared by the
// tfjs-cpu test and the WebGPU e2e spec: makes the referee's files and judges a result.

import type { StepParityResult } from '../../src/shared/protocol';
import { torchInto } from '../models/torchRef';

export const PARITY_FILES = ['initial', 'data', 'final'].map((f) => `${f}.safetensors`);

/** Runs scripts/torch/make_finetune_reference.py into a temp dir; returns the dir. */
export const makeFineTuneReference = (arch: 'resnet18' | 'resnet-tiny') =>
  torchInto('make_finetune_reference.py', (dir) => [dir, '--arch', arch]);

/**
 * What an engine must meet; returns the conditions it misses (none: parity). Losses are float32
 * on two engines and errors compound over the steps (they agree to ~1e-4 here), so the bounds
 * leave room for that and no more: training BN without train_bn, for one, moves the losses by
 * 0.4 % and the BN biases by 100 % of their scale.
 */
export function parityProblems(r: StepParityResult): string[] {
  const out: string[] = [];
  const close = (a: number, b: number) => Math.abs(a - b) < 5e-4 + 2e-3 * Math.abs(b);
  if (r.losses.length !== 9) out.push(`${r.losses.length} training batches, expected 9`);
  r.losses.forEach(([a, b], i) => close(a, b) || out.push(`batch ${i}: loss ${a} vs ${b}`));
  if (!(r.maxLrDiff < 1e-12)) out.push(`LRs differ by up to ${r.maxLrDiff}`);
  if (r.epochs.length !== 3) out.push(`${r.epochs.length} epochs, expected 3`);
  r.epochs.forEach((e, i) => {
    if (!close(...e.validLoss)) out.push(`epoch ${i}: valid loss ${e.validLoss.join(' vs ')}`);
    if (e.accuracy[0] !== e.accuracy[1])
      out.push(`epoch ${i}: accuracy ${e.accuracy.join(' vs ')}`);
  });
  if (!(r.worstTensor.rel < 1e-2))
    out.push(`final ${r.worstTensor.key} off by ${r.worstTensor.rel} of its scale`);
  return out;
}

export const describeParity = (r: StepParityResult) =>
  `fine_tune parity (${r.seconds.toFixed(0)} s): losses ours/torch ` +
  r.losses.map(([a, b]) => `${a.toFixed(4)}/${b.toFixed(4)}`).join(' ') +
  `; worst final tensor ${r.worstTensor.key} ${r.worstTensor.rel.toExponential(2)}`;
