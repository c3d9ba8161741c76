// The headless CLI (scripts/cli.ts) drives the page through this object: each CLI command
// calls the same store actions the UI's buttons call, and returns plain JSON.
import { useStudio } from '../store/studio';
import { inputFiles, modelCommands } from './models';
import { learnCommands } from './learn';
import { interpretCommands } from './interpret';
import { cleanerCommands } from './cleaner';
import { exportCommands } from './export';
import { reliabilityCommands } from './reliability';
import { cliPhase, cliProgress } from './progress';
import { engineCommands } from './engines';

export type CliArgs = Record<string, string | number | boolean | string[]>;

const commands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  // The folder (and CSVs) arrive first through the Data panel's inputs (scripts/cliImport.ts).
  async import(args) {
    const s = useStudio.getState();
    if (s.dataFiles.length === 0)
      throw new Error('no files: hand the folder to #folder-input first');
    const pct = args['valid-pct'] === undefined ? 0.2 : Number(args['valid-pct']);
    s.setDataOptions({
      labelMode: args.csv ? 'csv' : args['label-re'] ? 'regex' : 'folder',
      labelRe: args['label-re'] === undefined ? undefined : String(args['label-re']),
      labelSep: args['label-sep'] === undefined ? ';' : String(args['label-sep']),
      validPct: pct > 1 ? pct / 100 : pct,
      seed: args.seed === undefined ? 42 : Number(args.seed),
      stratify: Boolean(args.stratify),
    });
    const summary = await s.runImport();
    if (!summary) throw new Error(useStudio.getState().dataError ?? 'import failed');
    return summary;
  },
  // Pipeline throughput vs a training step: `bench-data <dir> [--size 64] [--bs 16] [--arch tiny]`.
  async 'bench-data'(args) {
    const summary = await useStudio.getState().runImport();
    if (!summary) throw new Error(useStudio.getState().dataError ?? 'import failed');
    const s = useStudio.getState();
    if (args['stock-kernels']) await s.useStudioKernels(false);
    return s.diagnose('benchData', {
      size: Number(args.size ?? 64),
      bs: Number(args.bs ?? 16),
      batches: Number(args.batches ?? 20),
      arch: String(args.arch ?? 'tiny'),
      trainSteps: Number(args.steps ?? 3),
    });
  },
  // The cached (decoded, upright, resized) pixels of one imported file: `data-image <path>`.
  async 'data-image'(args) {
    const img = await useStudio.getState().loadImage(String((args.positionals as string[])[0]));
    return img && { ...img, rgb: Array.from(img.rgb) };
  },
  // fastai show_batch through the Data panel's button path: `show-batch [--n 12]`.
  async 'show-batch'(args) {
    const batch = await useStudio.getState().loadShowBatch(Number(args.n ?? 12));
    if (!batch.length) throw new Error(useStudio.getState().dataBatchError ?? 'no batch');
    return batch.map((b) => ({
      path: b.path,
      labels: b.labels,
      width: b.width,
      height: b.height,
      rgb: Array.from(b.rgb),
    }));
  },
  async info() {
    const info = await useStudio.getState().connect();
    if (!info) throw new Error(useStudio.getState().engineError ?? 'WebGPU is not available');
    return { ...info, userAgent: navigator.userAgent };
  },
  async demo(args) {
    const result = await useStudio.getState().trainDemo({
      steps: Number(args.steps ?? 40),
      bs: Number(args.bs ?? 16),
    });
    if (!result) throw new Error(useStudio.getState().demoError ?? 'demo failed');
    return result;
  },
  // Diagnostics of the engine's WGSL kernels (no panel): the engine slice's `diagnose`.
  // `bench [--quick] --report bench.json`: Studio kernels vs stock, one session (scripts/bench.ts formats it).
  async bench(args) {
    return useStudio.getState().diagnose('benchKernels', {
      quick: Boolean(args.quick),
      only: args.only as string | undefined, // comma list of sections (src/worker/diagnostics/benchKernels.ts)
      profile: Boolean(args.profile),
      noAutotune: Boolean(args['no-autotune']),
    });
  },
  // Fused batch-norm/ReLU/residual kernels and gradients vs the CPU backend (src/worker/diagnostics/kernelCheckBn.ts).
  async 'kernel-check-bn'(args) {
    return useStudio.getState().diagnose('kernelCheckBn', {
      seed: Number(args.seed ?? 1),
      only: args.only as string | undefined,
    });
  },
  // `learner-parity --input SELECTOR`: the referee's initial/data/final.safetensors in a file input
  // (scripts/torch/make_finetune_reference.py); fine_tune here vs there, batch by batch.
  async 'learner-parity'(args) {
    const files = await inputFiles(String(args.input));
    return useStudio.getState().diagnose('learnerParity', { files });
  },
  // `self-test [--break KERNEL]`: the startup kernel self-test again, ignoring the cached verdict;
  // --break zeroes one kernel's output first (the e2e's test hook; not in any panel).
  async 'self-test'(args) {
    const k = args.break;
    return useStudio.getState().rerunSelfTest(k === undefined ? undefined : String(k));
  },
  async 'kernel-check'(args) {
    return useStudio.getState().diagnose('kernelCheck', {
      seed: Number(args.seed ?? 1),
      only: args.only as string | undefined,
    });
  },
  // Models: predict, weight import, forward (src/page/cli/models.ts).
  ...(modelCommands as Record<string, (args: CliArgs) => Promise<unknown>>),
  // Learner: learn-setup, fit, lr-find (src/page/cli/learn.ts); learn-state for checks.
  ...learnCommands,
  // Interpret panel: interpret, gradcam, predict-learner (src/page/cli/interpret.ts).
  ...(interpretCommands as Record<string, (args: CliArgs) => Promise<unknown>>),
  // The cleaner: clean --list / --delete / --relabel / --undo (src/page/cli/cleaner.ts).
  ...cleanerCommands,
  async 'learn-state'() {
    return useStudio.getState().diagnose('learnState', {});
  },
  // Export: export, export-chunk, import-session, learn-forward (src/page/cli/export.ts).
  ...exportCommands,
  // Reliability: debug-fault, mem-stats, autosave-info, restore-session (src/page/cli/reliability.ts).
  ...reliabilityCommands,
  ...engineCommands,
};

export interface StudioCli {
  commands: string[];
  run(command: string, args: CliArgs): Promise<unknown>;
  /** Polled by scripts/cli.ts while a command runs. */
  progress: typeof cliProgress;
}

declare global {
  interface Window {
    studioCli?: StudioCli;
    /** The store's current state, for e2e assertions. */
    studioStore?: () => ReturnType<typeof useStudio.getState>;
  }
}

export function installCliBridge() {
  window.studioStore = () => useStudio.getState();
  window.studioCli = {
    commands: Object.keys(commands),
    run(command, args) {
      const fn = commands[command];
      if (!fn)
        throw new Error(
          `unknown command '${command}' (known: ${Object.keys(commands).join(', ')})`,
        );
      cliPhase.name = command;
      return fn(args);
    },
    progress: cliProgress,
  };
}
