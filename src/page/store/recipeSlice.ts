// fastai's lesson 1 in the Train panel: vision_learner(dls, resnet50, metrics=error_rate),
// lr_find(), fine_tune(1, valley). Each import proposes the recipe (src/shared/recipe.ts) over
// the fields the user has not edited; one click runs it; measured batches estimate its time
// before it starts. The demo, with nothing imported, keeps the tiny CNN's defaults.
import type { StateCreator } from 'zustand';
import type { FitResult, StepTiming } from '../../shared/protocol';
import { defaultRecipe, isSoftwareAdapter, noWebGPU, type Recipe } from '../../shared/recipe';
import { FINE_TUNE } from '../../shared/schedule';
import type { ModelChoice } from './modelSlice';
import type { Studio } from './studio';
import { panelSetupArgs, type FitOptions, type TrainOptions } from './trainSlice';

/** The recipe as the panels' fields. */
interface Proposal {
  modelChoice: ModelChoice;
  trainOptions: Partial<TrainOptions>;
  fitOptions: Partial<FitOptions>;
}

export type RecipePhase = 'setup' | 'lr_find' | 'fine_tune' | 'estimate';

export interface RecipeSlice {
  /** The recipe the last import proposed; none before an import. */
  recipe?: Recipe;
  /** The GPU is a CPU emulator (SwiftShader), or there is no WebGPU: the recipe runs smaller,
   * on cached features. */
  recipeSoftware: boolean;
  /** Fields the user has edited in the panels (option names, `modelChoice`): never proposed over. */
  recipeEdited: string[];
  /** The recipe's step running now (Run the recipe, Estimate time). */
  recipePhase?: RecipePhase;
  /** Proposes the recipe over the fields the user has not edited (each import calls it once). */
  proposeRecipe(): Promise<void>;
  /** The panels' setters call it: these fields are the user's from now on. */
  markEdited(fields: string[]): void;
  /** lr_find's suggestion becomes the fit's LR unless the user typed or picked one. */
  adoptLrSuggestion(lr: number): void;
  /** Lesson 1 in one click: the learner, lr_find, then the fit options (fine_tune at the valley). */
  runRecipe(): Promise<FitResult | undefined>;
  /** Times the panel's learner's batches (setting it up first when needed), for the estimate. */
  estimateRecipe(): Promise<StepTiming | undefined>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `cur` with `next`'s fields, except the `edited` ones. */
function overUntouched<T extends object>(cur: T, next: Partial<T>, edited: string[]): T {
  const kept = Object.entries(next).filter(([k]) => !edited.includes(k));
  return { ...cur, ...Object.fromEntries(kept) };
}

function proposalOf(r: Recipe): Proposal {
  return {
    modelChoice: { arch: r.arch, source: r.pretrained ? 'imagenet' : 'random' },
    // fastai's aug_transforms(): the side-on preset (flips, rotate, zoom, lighting, warp).
    trainOptions: { size: r.size, bs: r.bs, resize: r.resize, aug: 'side-on' },
    // fine_tune's own base_lr until lr_find has run.
    fitOptions: {
      policy: r.policy,
      epochs: r.epochs,
      lr: FINE_TUNE.baseLr,
      precompute: r.precompute,
    },
  };
}

export const createRecipeSlice: StateCreator<Studio, [], [], RecipeSlice> = (set, get) => {
  /** The panel's learner: the current one if it was set up from the same options (and, for a
   * run, has not trained since: lr_find and the estimate put its weights back), else a new one. */
  async function panelLearner(untrained: boolean): Promise<boolean> {
    const s = get();
    const args = panelSetupArgs(s);
    const matches = s.trainSetup && same(s.trainSetupArgs, args);
    return (matches && !(untrained && s.trainBatches.length)) || !!(await s.learnSetup(args));
  }
  /** One recipe step at a time; none while something else trains. */
  async function phase<T>(f: () => Promise<T | undefined>): Promise<T | undefined> {
    if (get().trainStatus === 'running' || get().recipePhase) return undefined;
    try {
      return await f();
    } finally {
      set({ recipePhase: undefined });
    }
  }
  return {
    recipeSoftware: false,
    recipeEdited: [],
    async proposeRecipe() {
      const info = await get().connect();
      const recipe = defaultRecipe(info?.adapter, noWebGPU(info));
      const s = get();
      const next = proposalOf(recipe);
      const edited = s.recipeEdited;
      set({
        recipe,
        recipeSoftware: isSoftwareAdapter(info?.adapter) || noWebGPU(info),
        modelChoice: edited.includes('modelChoice') ? s.modelChoice : next.modelChoice,
        trainOptions: overUntouched(s.trainOptions, next.trainOptions, edited),
        fitOptions: overUntouched(s.fitOptions, next.fitOptions, edited),
      });
    },
    markEdited(fields) {
      set((s) => ({ recipeEdited: [...new Set([...s.recipeEdited, ...fields])] }));
    },
    adoptLrSuggestion(lr) {
      const s = get();
      if (!s.recipeEdited.includes('lr')) set({ fitOptions: { ...s.fitOptions, lr } });
    },
    runRecipe: () =>
      phase(async () => {
        set({ recipePhase: 'setup' });
        if (!(await panelLearner(true))) return undefined;
        set({ recipePhase: 'lr_find' });
        if (!(await get().lrFind())) return undefined;
        set({ recipePhase: 'fine_tune' });
        return get().fit();
      }),
    estimateRecipe: () =>
      phase(async () => {
        set({ recipePhase: 'estimate' });
        // The time per batch does not depend on the weights: a trained learner serves too.
        if (!(await panelLearner(false))) return undefined;
        // Without fine_tune nothing trains unfrozen (and without WebGPU it would be refused).
        return get().timeSteps({ unfrozen: get().fitOptions.policy === 'fine_tune' });
      }),
  };
};
