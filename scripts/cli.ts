// The headless CLI: `npm run cli -- <command> [positional...] [--flag value] [--json] [--report FILE]`.
// It serves the built studio on 127.0.0.1, opens it in headless Chromium with WebGPU and runs
// the command through window.studioCli, i.e. the same store actions the UI's buttons call.
import { writeFileSync } from 'node:fs';
import { parseCliArgs } from './cliArgs';
import { handImportFiles } from './cliImport';
import { openStudio } from './studio';
import { readImages } from './cliPredict';
import { handSessionFile, pullExport, saveSession, type Listed } from './cliExport';
import { recipeTable } from './recipeTable';
import type { BenchRecipeResult } from '../src/shared/protocol';
import { PROGRESS_COMMANDS, progressEveryMs, watchProgress } from './cliProgress';

const USAGE = `usage: npm run cli -- <command> [args] [--json] [--report FILE]
       train, lr-find, fit, bench and bench-recipe print progress on stderr (one line per epoch,
       one every --progress-every S seconds, default 10; $STUDIO_PROGRESS_MS); --quiet turns it off
commands:
  info                      WebGPU adapter, features, limits, tfjs backend and versions, the
                            kernel self-test's verdict (selfTest: cached, failed kernels)
  demo [--steps N] [--bs N] train the built-in demo CNN and print its losses
  import <dir> [--csv F[,F]] [--label-sep ;] [--label-re R] [--valid-pct 0.2] [--seed S] [--stratify]
                            import a folder: classes, counts per split, skipped files, warnings
  bench-data <dir> [--size 64] [--bs 16] [--arch tiny|resnet18]
                            augmented batches/s of the data pipeline vs one training step
  bench-engines [--arch resnet50] [--size 128] [--bs 16]
                            one eval forward on webgpu (our kernels) vs the wasm engine
  bench-recipe [--sizes 128,224] [--bs 16] [--ref webgpu,webgl] [--ref-sizes 128] [--quick]
                            one profiled ResNet50 step per recipe phase (frozen, frozen-nobn,
                            unfrozen, valid, precompute): a table on stdout, JSON with --report
  bench [--quick] [--only kernels,matmul,train,train50] [--profile 1] [--no-autotune 1]
                            WGSL kernels vs stock tfjs-webgpu (GFLOP/s, reference matmul), ResNet-18/50
                            train steps ours vs stock webgpu vs webgl vs cpu
  kernel-check-bn [--seed S] fused batch-norm/ReLU/residual kernels + gradients vs the CPU backend
  kernel-check [--seed S]   WGSL kernels + gradients vs the tfjs CPU backend (max relative errors)
  self-test [--break K]     rerun the startup kernel self-test (--break: zero kernel K first, a test hook)
  predict <image...> [--arch resnet50-imagenet] [--weights URL] [--top 5]
                            top-k ImageNet classes of each image: [{path, top:[{label, prob}]}]
  train <dir> [--arch tiny-bn-cnn|resnet18|resnet50-imagenet|...] [--size N | --sizes 64,128] [--bs N]
        [--aug side-on|none] [--lr-find] [--suggest valley,slide,minimum,steep]
        [--fine-tune E | --one-cycle E | --sgdr N [--cycle-len L] [--cycle-mult M] | --fit E] [--lr X]
        [--opt adam|sgd] [--mom 0.9] [--wd W] [--moms 0.95,0.85,0.95] [--label-smoothing]
        [--mixup [alpha]] [--save-best] [--tta] [--snapshots [0,2,..]] [--stock-kernels]
        [--export DIR] [--pretrained [false] | --scratch] [--body current] [--precompute]
        [--resize squish|crop|pad|random-resized-crop] [--min-scale 0.08]
                            import, then fastai's recipe: lr_find curve + suggestion, epoch rows,
                            the photos' decoded size (source: the pixels training read).
                            --sizes: progressive resizing (the same fit at each size in turn, same
                            weights and optimizer); --save-best: the lowest valid_loss epoch is kept
                            (reported as kept); --tta: learn.tta()'s metrics next to the plain ones;
                            --snapshots: a snapshot ensemble (each SGDR cycle's end, or those
                            epochs), its metrics next to the final weights' (ensemble).
                            No --arch: lesson 1 (pretrained ResNet50, lr_find, fine_tune(1) at the
                            valley, Resize crop; size 224 and bs 64, or 128, 16 and --precompute on a
                            software adapter); --arch X: size 64, bs 16, squish. --export writes every export format into DIR
  lr-find [--num-it 100] [--suggest valley,steep]   fit --epochs E [--policy one_cycle|fit|sgdr|fine_tune]
        [--lr X] [--cycle-len L] [--cycle-mult M] [--opt adam|sgd] [--mom M] [--wd W] [--moms a,b,c]
        [--mixup [alpha]] [--save-best] [--size N] [--snapshots [0,2,..]]
  interpret [--k 16] [--tta] [--ensemble]
                            the Train and Interpret panels' actions on the session (after learn-setup)
  export --format safetensors|tfjs|session|script|page|all --out DIR [--session FILE.zip] [--f16] [--ensemble]
                            the session's model/archive/script (of FILE.zip if given) into DIR;
                            page: one offline .html that classifies images (--f16: f16 weights;
                            --ensemble: the snapshot ensemble, averaged, in place of the final weights)
  clean --list [--split train|valid] [--class C] [--k 20]
                            the data cleaner: images by loss (highest first), label, prediction
  clean [--delete P[,P]] [--relabel P=L[,P=L]] [--undo P[,P]]
                            edit the cleaner's overlay (files are never touched; saved with the session)
any command on a saved session (each command opens a fresh page):
  --data DIR                import DIR first (the session's folder, as train does; import's flags apply)
  --session FILE.zip        import the session archive before the command (lr-find, fit, clean, ...)
  --save-session FILE.zip   export the session archive after the command`;

type CliArgs = Record<string, string>;
type Run = (c: string, a: Record<string, unknown>) => Promise<unknown>;

/** Imports the archive in the page; what it restored, for the log. */
async function sessionLine(run: Run, input: string) {
  const r = (await run('import-session', { input })) as {
    iterations: number;
    epochs: number;
    cleaner: unknown[];
  };
  return { iterations: r.iterations, epochs: r.epochs, cleanerEdits: r.cleaner.length };
}

async function main() {
  const { positionals, values } = parseCliArgs(process.argv.slice(2));
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    process.exit(command ? 0 : 2);
  }
  const log = (m: string) => console.error(m);
  const studio = await openStudio({ log });
  try {
    const args = { ...values, positionals: rest } as Record<
      string,
      string | number | boolean | string[]
    >;
    const run: Run = (name, a) =>
      studio.page.evaluate(([n, x]) => window.studioCli!.run(n as string, x as CliArgs), [
        name,
        a,
      ] as const);
    if (command === 'import' || command === 'bench-data' || command === 'train')
      await handImportFiles(studio.page, rest, values);
    // Any other command on a saved session: `--data DIR` imports its folder first (with the
    // import's label flags), then `--session FILE.zip` brings the session back.
    // (`--data demo|imported` is learn-setup's own flag.)
    else if (typeof values.data === 'string' && !['demo', 'imported'].includes(values.data)) {
      await handImportFiles(studio.page, [values.data], values);
      await run('import', values);
      args.data = 'imported';
    }
    if (typeof values.session === 'string') {
      const input = await handSessionFile(studio.page, values.session);
      if (command === 'export') args.input = input;
      else log(`session: ${values.session} (${JSON.stringify(await sessionLine(run, input))})`);
    }
    // The page cannot read local files: hand it their bytes.
    if (command === 'predict' || command === 'predict-learner')
      (args as Record<string, unknown>).images = readImages(rest);
    const stop =
      PROGRESS_COMMANDS.has(command) && !values.quiet
        ? watchProgress(studio.page, command, progressEveryMs(values['progress-every']), log)
        : async () => {};
    const result = await run(command, args).finally(stop);
    if (typeof values['save-session'] === 'string')
      log(`wrote ${await saveSession(studio.page, values['save-session'])}`);
    // Exported files stay in the page: pull them into the folder asked for.
    const outDir =
      command === 'export' ? values.out : command === 'train' ? values.export : undefined;
    if (typeof outDir === 'string') {
      const listed = (
        command === 'export' ? result : (result as { exported?: Listed[] }).exported
      ) as Listed[];
      for (const p of await pullExport(studio.page, listed ?? [], outDir)) log(`wrote ${p}`);
    }
    const json = JSON.stringify(result, null, 2);
    if (typeof values.report === 'string') writeFileSync(values.report, json + '\n');
    if (command === 'bench-recipe' && !values.json)
      console.log(recipeTable(result as BenchRecipeResult));
    else if (values.json || typeof values.report !== 'string') console.log(json);
  } finally {
    await studio.close();
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
