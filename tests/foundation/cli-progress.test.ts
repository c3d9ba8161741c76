import { describe, expect, it } from 'vitest';
import { clock, formatEpoch, formatProgress, progressEveryMs } from '../../scripts/cliProgress';
import type { CliProgress } from '../../src/page/cli/progress';

const batch = {
  iter: 10,
  of: 40,
  epoch: 0,
  loss: 1.23456,
  smoothLoss: 1.3,
  lr: 1e-3,
  mom: 0.9,
  elapsed: 20,
  bs: 16,
};
const snap = (o: Partial<CliProgress>): CliProgress => ({
  phase: 'fine_tune',
  running: true,
  last: batch,
  nEpochs: 0,
  epochs: [],
  ...o,
});

describe('CLI progress lines', () => {
  it('shows phase, batch i/n, loss, images/s and the ETA from the batch records', () => {
    // 10 batches of 16 in 20 s: 8 img/s, 2 s a batch, 30 batches left: 1:00
    expect(formatProgress('train', snap({}), 75)).toBe(
      '[train] fine_tune epoch 0 batch 10/40 loss 1.2346 8.0 img/s ETA 1:00 · 1:15 elapsed',
    );
  });
  it('shows only the elapsed time in phases without batch records', () => {
    expect(formatProgress('train', snap({ phase: 'lr_find' }), 31)).toBe(
      '[train] lr_find · 0:31 elapsed',
    );
    expect(formatProgress('bench', snap({ phase: 'bench', last: undefined }), 3725)).toBe(
      '[bench] bench · 1:02:05 elapsed',
    );
  });
  it('prints an epoch row with its metrics', () => {
    const row = {
      epoch: 1,
      trainLoss: 0.5,
      validLoss: 0.25,
      metrics: { error_rate: 0.1 },
      seconds: 12.34,
    };
    expect(formatEpoch('fit', row)).toBe(
      '[fit] epoch 1: train_loss 0.5000 valid_loss 0.2500 error_rate 0.1000 · 12.3s',
    );
  });
  it('takes the interval from --progress-every, then $STUDIO_PROGRESS_MS, else 10 s', () => {
    expect(progressEveryMs('0.5', '2000')).toBe(500);
    expect(progressEveryMs(undefined, '2000')).toBe(2000);
    expect(progressEveryMs(undefined, undefined)).toBe(10_000);
    expect(() => progressEveryMs('soon', undefined)).toThrow(/--progress-every soon/);
    expect(clock(59.6)).toBe('1:00');
  });
});
