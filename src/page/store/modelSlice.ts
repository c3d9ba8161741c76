// The Model panel's state: which architecture and starting weights the Train panel's learner is
// built from (random init, the bundled ImageNet ResNet50, or dropped weight files), the worker's
// current model (models/session.ts) and the learner's freeze state. Also the UI theme.
import type { LearnSetupArgs, ModelInfo } from '../../shared/protocol';
import type { StateCreator } from 'zustand';
import { worker, type StudioState } from './studio';

/** Where the learner's body weights come from. */
export type WeightSource = 'random' | 'imagenet' | 'weights';

export interface ModelChoice {
  arch: string;
  source: WeightSource;
}

export interface ArchDef {
  id: string;
  label: string;
  source: WeightSource;
  /** The architecture the worker builds. */
  arch: string;
}

/** The Model panel's choices, in order. */
export const ARCH_CHOICES: ArchDef[] = [
  { id: 'tiny-bn-cnn', arch: 'tiny-bn-cnn', source: 'random', label: 'tiny CNN with BN (fast)' },
  { id: 'resnet-tiny', arch: 'resnet-tiny', source: 'random', label: 'tiny ResNet (tests)' },
  { id: 'resnet18', arch: 'resnet18', source: 'random', label: 'ResNet-18 · random init' },
  { id: 'resnet34', arch: 'resnet34', source: 'random', label: 'ResNet-34 · random init' },
  { id: 'resnet50', arch: 'resnet50', source: 'random', label: 'ResNet-50 · random init' },
  {
    id: 'resnet50-imagenet',
    arch: 'resnet50-imagenet',
    source: 'imagenet',
    label: 'ResNet50 · ImageNet (bundled, pretrained)',
  },
];

export const ARCH_NAMES: Record<string, string> = {
  'tiny-bn-cnn': 'tiny CNN',
  'tiny-cnn': 'tiny CNN',
  'resnet-tiny': 'tiny ResNet',
  resnet18: 'ResNet18',
  resnet34: 'ResNet34',
  resnet50: 'ResNet50',
  'resnet50-imagenet': 'ResNet50',
  'keras-resnet50': 'ResNet50 (Keras)',
};

/** Settings of the learner the Train panel creates (everything but the model choice). */
export interface TrainOptions {
  data: 'demo' | 'imported';
  aug: NonNullable<LearnSetupArgs['aug']>;
  bs: number;
  size: number;
  labelSmoothing: boolean;
}

/** learnSetup args: the Model panel's choice (random init, bundled ImageNet, or the body of the
 * weights imported into the worker's current model) and the Train panel's options. */
export function setupArgsOf(choice: ModelChoice, o: TrainOptions): LearnSetupArgs {
  const base: LearnSetupArgs = { ...o, arch: choice.arch };
  if (choice.source === 'imagenet') return { ...base, arch: 'resnet50-imagenet', pretrained: true };
  if (choice.source === 'weights') return { ...base, pretrained: true, body: 'current' };
  return base;
}

export interface FreezeState {
  groups: number;
  frozenGroups: number;
}

export interface ModelSlice {
  modelChoice: ModelChoice;
  /** The worker's current model (for dropped weights and the bundled ResNet50). */
  modelInfo?: ModelInfo;
  modelStatus: 'idle' | 'loading' | 'error';
  modelError?: string;
  /** The learner's groups and how many are frozen (after setup, fit or freeze/unfreeze). */
  freezeState?: FreezeState;
  trainOptions: TrainOptions;
  theme: 'auto' | 'light' | 'dark';
  setTheme(t: ModelSlice['theme']): void;
  setTrainOptions(o: Partial<TrainOptions>): void;
  /** Picks an architecture; the ImageNet choice loads the bundled weights in the worker. */
  chooseArch(id: string): Promise<void>;
  /** Imports dropped weight files into a new model (all or nothing); errors leave all as it was. */
  loadWeightFiles(files: File[], arch: string): Promise<ModelInfo | undefined>;
  /** Creates the Train panel's learner from the model choice and train options. */
  setupLearner(): Promise<void>;
  /** fastai freeze()/unfreeze() on the learner's model. */
  setFrozen(frozen: boolean): Promise<void>;
  refreshFreeze(): Promise<void>;
  /** Another panel replaced the worker's current model (e.g. "What does it see?" loads ImageNet). */
  currentModelReplaced(info: ModelInfo): void;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  data: 'imported',
  aug: 'side-on',
  bs: 16,
  size: 32,
  labelSmoothing: false,
};

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => ({
  modelChoice: { arch: 'tiny-bn-cnn', source: 'random' },
  modelStatus: 'idle',
  trainOptions: TRAIN_DEFAULTS,
  theme: 'auto',
  setTheme(theme) {
    set({ theme });
    document.documentElement.dataset.theme = theme;
  },
  setTrainOptions(o) {
    set((s) => ({ trainOptions: { ...s.trainOptions, ...o } }));
  },
  async chooseArch(id) {
    const def = ARCH_CHOICES.find((a) => a.id === id);
    if (!def) return;
    set({ modelChoice: { arch: def.arch, source: def.source }, modelError: undefined });
    if (def.source !== 'imagenet') return;
    if (!(await get().connect())) return;
    set({ modelStatus: 'loading' });
    try {
      const modelInfo = await worker().call('modelLoadBundled', {});
      set({ modelInfo, modelStatus: 'idle' });
    } catch (e) {
      set({ modelStatus: 'error', modelError: (e as Error).message });
    }
  },
  async loadWeightFiles(files, arch) {
    if (!files.length || !(await get().connect())) return undefined;
    set({ modelStatus: 'loading', modelError: undefined });
    try {
      const weightFiles = await Promise.all(
        files.map(async (f) => ({
          name: f.webkitRelativePath || f.name,
          bytes: await f.arrayBuffer(),
        })),
      );
      const modelInfo = await worker().call('modelLoadWeights', { files: weightFiles, arch });
      set({
        modelInfo,
        modelStatus: 'idle',
        modelChoice: { arch: modelInfo.arch, source: 'weights' },
      });
      return modelInfo;
    } catch (e) {
      set({ modelStatus: 'error', modelError: (e as Error).message });
      return undefined;
    }
  },
  async setupLearner() {
    const s = get();
    const o = s.trainOptions;
    const data = o.data === 'imported' && s.dataSummary && !s.dataSummary.errors.length;
    const args = setupArgsOf(s.modelChoice, { ...o, data: data ? 'imported' : 'demo' });
    const r = await s.learnSetup(args);
    if (r) set({ freezeState: { groups: r.groups, frozenGroups: r.frozenGroups } });
  },
  async setFrozen(frozen) {
    if (get().trainStatus === 'running' || !(await get().connect())) return;
    try {
      set({ freezeState: (await worker().call('freezeLearner', { frozen })) ?? undefined });
    } catch (e) {
      set({ modelError: (e as Error).message });
    }
  },
  currentModelReplaced(info) {
    const imported = get().modelChoice.source === 'weights';
    set({
      modelInfo: info,
      ...(imported && { modelChoice: { arch: 'resnet50-imagenet', source: 'imagenet' as const } }),
    });
  },
  async refreshFreeze() {
    try {
      set({ freezeState: (await worker().call('freezeLearner', {})) ?? undefined });
    } catch {
      set({ freezeState: undefined });
    }
  },
});
