// The Model panel's state: which architecture and starting weights the Train panel's learner is
// built from (random init, the bundled ImageNet ResNet50, or dropped weight files), the worker's
// current model (src/models/session.ts) and the learner's freeze state.
import type { StateCreator } from 'zustand';
import type { LearnSetupArgs } from '../../shared/protocol';
import type { ModelInfo } from '../../shared/protocol';
import type { ArgsOf, ResultOf } from '../../shared/protocol';
import { worker } from './client';
import type { Studio } from './studio';
import type { TrainOptions } from './trainSlice';

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

/** The demo's choice (no folder imported): the tiny CNN from random init. */
export const MODEL_DEFAULT: ModelChoice = { arch: 'tiny-bn-cnn', source: 'random' };

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

export type WeightFile = ArgsOf<'modelLoadWeights'>['files'][number];

export interface ModelSlice {
  modelChoice: ModelChoice;
  /** The worker's current model (for dropped weights and the bundled ResNet50). */
  modelInfo?: ModelInfo;
  modelStatus: 'idle' | 'loading' | 'error';
  modelError?: string;
  /** The learner's groups and how many are frozen (after setup, fit or freeze/unfreeze). */
  freezeState?: FreezeState;
  /** Picks an architecture; the ImageNet choice loads the bundled weights in the worker. */
  chooseArch(id: string): Promise<void>;
  /** Imports weight files into a new model (all or nothing); errors leave all as it was. */
  loadWeights(files: WeightFile[], arch?: string): Promise<ModelInfo>;
  /** loadWeights for dropped files; the error lands in `modelError`. */
  loadWeightFiles(files: File[], arch: string): Promise<ModelInfo | undefined>;
  /** The bundled ImageNet ResNet50 becomes the worker's current model. */
  loadBundled(): Promise<ModelInfo>;
  /** A new random model becomes the worker's current model. */
  createModel(args: ArgsOf<'modelCreate'>): Promise<ModelInfo>;
  /** The current model's top classes for each image. */
  predictImages(args: ArgsOf<'predict'>): Promise<ResultOf<'predict'>>;
  /** The current model's logits on [0,1] RGB pixels (parity checks). */
  modelForward(args: ArgsOf<'modelForward'>): Promise<ResultOf<'modelForward'>>;
  /** fastai freeze()/unfreeze() on the learner's model. */
  setFrozen(frozen: boolean): Promise<void>;
  refreshFreeze(): Promise<void>;
}

export const createModelSlice: StateCreator<Studio, [], [], ModelSlice> = (set, get) => {
  async function connected() {
    if (!(await get().connect())) throw new Error('WebGPU is not available');
  }
  return {
    modelChoice: MODEL_DEFAULT,
    modelStatus: 'idle',
    async chooseArch(id) {
      const def = ARCH_CHOICES.find((a) => a.id === id);
      if (!def) return;
      set({ modelChoice: { arch: def.arch, source: def.source }, modelError: undefined });
      get().markEdited(['modelChoice']);
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
    async loadWeights(files, arch) {
      await connected();
      const modelInfo = await worker().call('modelLoadWeights', { files, arch });
      set({ modelInfo, modelChoice: { arch: modelInfo.arch, source: 'weights' } });
      get().markEdited(['modelChoice']);
      return modelInfo;
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
        const modelInfo = await get().loadWeights(weightFiles, arch);
        set({ modelStatus: 'idle' });
        return modelInfo;
      } catch (e) {
        set({ modelStatus: 'error', modelError: (e as Error).message });
        return undefined;
      }
    },
    async loadBundled() {
      await connected();
      const modelInfo = await worker().call('modelLoadBundled', {});
      // Imported weights are gone from the worker: the Model panel follows.
      const imported = get().modelChoice.source === 'weights';
      set({
        modelInfo,
        ...(imported && {
          modelChoice: { arch: 'resnet50-imagenet', source: 'imagenet' as const },
        }),
      });
      return modelInfo;
    },
    async createModel(args) {
      await connected();
      const modelInfo = await worker().call('modelCreate', args);
      set({ modelInfo });
      return modelInfo;
    },
    async predictImages(args) {
      await connected();
      return worker().call('predict', args);
    },
    async modelForward(args) {
      await connected();
      return worker().call('modelForward', args);
    },
    async setFrozen(frozen) {
      if (get().trainStatus === 'running' || !(await get().connect())) return;
      try {
        set({ freezeState: (await worker().call('freezeLearner', { frozen })) ?? undefined });
      } catch (e) {
        set({ modelError: (e as Error).message });
      }
    },
    async refreshFreeze() {
      try {
        set({ freezeState: (await worker().call('freezeLearner', {})) ?? undefined });
      } catch {
        set({ freezeState: undefined });
      }
    },
  };
};
