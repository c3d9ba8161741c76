// The headless CLI: `npm run cli -- <command> [positional...] [--flag value] [--json] [--report FILE]`.
// It serves the built studio on 127.0.0.1, opens it in headless Chromium with WebGPU and runs
// the command through window.studioCli, i.e. the same store actions the UI's buttons call.
import { writeFileSync } from 'node:fs';
import { parseCliArgs } from './cliArgs';
import { handImportFiles } from './cliImport';
import { openStudio } from './studio';
import { readImages } from './cliPredict';
import { handSessionFile, pullExport, type Listed } from './cliExport';
import { PROGRESS_COMMANDS, progressEveryMs, watchProgress } from './cliProgress';

const USAGE = `usage: npm run cli -- <command> [args] [--json] [--report FILE]
       train, lr-find, fit and bench print progress on stderr (one line per epoch, one every
       --progress-every S seconds, default 10; $STUDIO_PROGRESS_MS); --quiet turns it off
commands:
  info                      WebGPU adapter, features, limits, tfjs backend and versions
  demo [--steps N] [--bs N] train the built-in demo CNN and print its losses
  import <dir> [--csv F[,F]] [--label-sep ;] [--label-re R] [--valid-pct 0.2] [--seed S] [--stratify]
                            import a folder: classes, counts per split, skipped files, warnings
  bench-data <dir> [--size 64] [--bs 16] [--arch tiny|resnet18]
                            augmented batches/s of the data pipeline vs one training step
  bench-engines [--arch resnet50] [--size 128] [--bs 16]
                            one eval forward on webgpu (our kernels) vs the wasm engine
  bench [--quick] [--only kernels,matmul,train,train50] [--profile 1] [--no-autotune 1]
                            WGSL kernels vs stock tfjs-webgpu (GFLOP/s, reference matmul), ResNet-18/50
                            train steps ours vs stock webgpu vs webgl vs cpu
  kernel-check-bn [--seed S] fused batch-norm/ReLU/residual kernels + gradients vs the CPU backend
  kernel-check [--seed S]   WGSL kernels + gradients vs the tfjs CPU backend (max relative errors)
  predict <image...> [--arch resnet50-imagenet] [--weights URL] [--top 5]
                            top-k ImageNet classes of each image: [{path, top:[{label, prob}]}]
  train <dir> [--arch tiny-bn-cnn|resnet18|resnet50-imagenet|...] [--size N] [--bs N]
        [--aug side-on|none] [--lr-find] [--fine-tune E | --one-cycle E] [--lr X] [--stock-kernels]
        [--export DIR] [--pretrained [false] | --scratch] [--body current] [--precompute]
        [--resize squish|crop|pad|random-resized-crop] [--min-scale 0.08]
                            import, then fastai's recipe: lr_find curve + suggestion, epoch rows,
                            the photos' decoded size (source: the pixels training read).
                            No --arch: lesson 1 (pretrained ResNet50, lr_find, fine_tune(1) at the
                            valley, Resize crop; size 224 and bs 64, or 128 and 16 on a software
                            adapter); --arch X: size 64, bs 16, squish. --export writes every export format into DIR
  export --format safetensors|tfjs|session|script|all --out DIR [--session FILE.zip]
                            the session's model/archive/script (of FILE.zip if given) into DIR`;

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
    if (command === 'import' || command === 'bench-data' || command === 'train')
      await handImportFiles(studio.page, rest, values);
    if (command === 'export' && typeof values.session === 'string')
      args.input = await handSessionFile(studio.page, values.session);
    // The page cannot read local files: hand it their bytes.
    if (command === 'predict' || command === 'predict-learner')
      (args as Record<string, unknown>).images = readImages(rest);
    const stop =
      PROGRESS_COMMANDS.has(command) && !values.quiet
        ? watchProgress(studio.page, command, progressEveryMs(values['progress-every']), log)
        : async () => {};
    const result = await studio.page
      .evaluate(([c, a]) => window.studioCli!.run(c as string, a as Record<string, string>), [
        command,
        args,
      ] as const)
      .finally(stop);
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
    if (values.json || typeof values.report !== 'string') console.log(json);
  } finally {
    await studio.close();
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
