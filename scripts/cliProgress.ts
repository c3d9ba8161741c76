// Progress on stderr for the long CLI commands: the page is polled every second through
// window.studioCli.progress() (src/page/cli/progress.ts); a line goes out when an epoch ends or
// `every` ms passed. stdout keeps only the result.
import type { Page } from 'playwright-core';
import type { CliProgress } from '../src/page/cli/progress';

export const PROGRESS_COMMANDS = new Set(['train', 'lr-find', 'fit', 'bench', 'bench-recipe']);
/** Phases without batch records (lr_find emits none): only the elapsed time is known. */
const NO_BATCHES = new Set(['setup', 'lr_find', 'lr-find', 'bench', 'tta']);

export const clock = (s: number) => {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
};

/** `[train] fine_tune epoch 1 batch 12/40 loss 1.2345 38.2 img/s ETA 0:52 · 1:10 elapsed` */
export function formatProgress(command: string, p: CliProgress, elapsedS: number): string {
  const head = `[${command}] ${p.phase || command}`;
  const tail = `${clock(elapsedS)} elapsed`;
  const b = p.last;
  if (!b || NO_BATCHES.has(p.phase) || b.iter === 0) return `${head} · ${tail}`;
  const perBatch = b.elapsed / b.iter;
  const imgs = (b.iter * b.bs) / b.elapsed;
  const eta = clock((b.of - b.iter) * perBatch);
  return (
    `${head} epoch ${b.epoch} batch ${b.iter}/${b.of} loss ${b.loss.toFixed(4)} ` +
    `${imgs.toFixed(1)} img/s ETA ${eta} · ${tail}`
  );
}

/** `[train] epoch 0: train_loss 1.2345 valid_loss 1.1000 accuracy 0.5000 · 12.3s` */
export function formatEpoch(command: string, row: CliProgress['epochs'][number]): string {
  const metrics = Object.entries(row.metrics).map(([k, v]) => ` ${k} ${v.toFixed(4)}`);
  return (
    `[${command}] epoch ${row.epoch}: train_loss ${row.trainLoss.toFixed(4)} ` +
    `valid_loss ${row.validLoss.toFixed(4)}${metrics.join('')} · ${row.seconds.toFixed(1)}s`
  );
}

/** `--progress-every S` (seconds), else $STUDIO_PROGRESS_MS, else 10 s. */
export function progressEveryMs(flag: unknown, env = process.env.STUDIO_PROGRESS_MS): number {
  const ms = flag !== undefined && flag !== true ? Number(flag) * 1000 : Number(env ?? 10_000);
  if (!(ms > 0)) throw new Error(`--progress-every ${String(flag ?? env)}: give seconds > 0`);
  return ms;
}

/** Polls the page until the returned stop() is called; stop() prints the epoch rows not yet shown. */
export function watchProgress(
  page: Page,
  command: string,
  everyMs: number,
  write: (line: string) => void,
): () => Promise<void> {
  const t0 = Date.now();
  let printed = t0;
  let since = 0;
  let last = '';
  let busy: Promise<void> | undefined;
  const poll = async (final: boolean) => {
    try {
      const p = await page.evaluate((n) => window.studioCli!.progress(n), since);
      for (const row of p.epochs) write(formatEpoch(command, row));
      since = p.nEpochs;
      const now = Date.now();
      if (p.epochs.length) printed = now;
      else if (!final && now - printed >= everyMs) {
        const line = formatProgress(command, p, (now - t0) / 1000);
        if (line !== last) write(line);
        [printed, last] = [now, line];
      }
    } catch {
      // The page is closing or navigating: the result (or its error) says more.
    }
  };
  const timer = setInterval(
    () => {
      busy ??= poll(false).finally(() => (busy = undefined));
    },
    Math.min(1000, everyMs),
  );
  return async () => {
    clearInterval(timer);
    await busy;
    await poll(true);
  };
}
