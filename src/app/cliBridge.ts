// The headless CLI (scripts/cli.ts) drives the page through this object: each CLI command
// calls the same store actions the UI's buttons call, and returns plain JSON.
import { useStudio } from '../store/studio';

export type CliArgs = Record<string, string | number | boolean | string[]>;

const commands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  async info() {
    const info = await useStudio.getState().connect();
    if (!info) throw new Error(useStudio.getState().engineError ?? 'WebGPU is not available');
    return { ...info, userAgent: navigator.userAgent };
  },
  async demo(args) {
    const result = await useStudio.getState().trainDemo({
      steps: Number(args.steps ?? 40),
      batchSize: Number(args.bs ?? 16),
    });
    if (!result) throw new Error(useStudio.getState().demoError ?? 'demo failed');
    return result;
  },
};

export interface StudioCli {
  commands: string[];
  run(command: string, args: CliArgs): Promise<unknown>;
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
      if (!fn) throw new Error(`unknown command '${command}' (known: ${Object.keys(commands).join(', ')})`);
      return fn(args);
    },
  };
}
