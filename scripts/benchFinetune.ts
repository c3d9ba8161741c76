// Issue 5's benchmark runner: `npm run cli -- train ...` with a progress line on stderr every 30 s
// (batch index, loss, seconds per batch), so a run of tens of minutes on a shared machine can be
// followed and its partial numbers reported.
//   STUDIO_DIST=dist-r50 npx tsx scripts/benchFinetune.ts <dir> --report FILE [train flags...]
import { writeFileSync } from 'node:fs';
import { parseCliArgs } from './cliArgs';
import { pullExport, type Listed } from './cliExport';
import { handImportFiles } from './cliImport';
import { openStudio } from './studio';

async function main() {
  const { positionals, values } = parseCliArgs(process.argv.slice(2));
  const log = (m: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${m}`);
  const studio = await openStudio({ log });
  const t0 = Date.now();
  const timer = setInterval(() => {
    void studio.page
      .evaluate(() => {
        const s = window.studioStore!();
        const b = s.trainBatches.at(-1);
        return { n: s.trainBatches.length, b, epochs: s.trainEpochs };
      })
      .then(({ n, b, epochs }) => {
        const s = ((Date.now() - t0) / 1000).toFixed(0);
        log(
          `${s}s batches ${n}` +
            (b
              ? ` iter ${b.iter}/${b.of} epoch ${b.epoch} loss ${b.loss.toFixed(4)} elapsed ${b.elapsed.toFixed(0)}s`
              : '') +
            (epochs.length ? ` epochs ${JSON.stringify(epochs)}` : ''),
        );
      })
      .catch(() => {});
  }, 30_000);
  try {
    await handImportFiles(studio.page, positionals, values);
    const result = await studio.page.evaluate(
      ([a]) => window.studioCli!.run('train', a as unknown as Record<string, string>),
      [{ ...values, positionals }] as const,
    );
    // `--export DIR`, as `npm run cli -- train` does: the page keeps the files, pull them out.
    if (typeof values.export === 'string')
      for (const p of await pullExport(
        studio.page,
        (result as { exported?: Listed[] }).exported ?? [],
        values.export,
      ))
        log(`wrote ${p}`);
    const json = JSON.stringify(
      { wallSeconds: (Date.now() - t0) / 1000, ...(result as object) },
      null,
      2,
    );
    if (typeof values.report === 'string') writeFileSync(values.report, json + '\n');
    else console.log(json);
  } finally {
    clearInterval(timer);
    await studio.close();
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
