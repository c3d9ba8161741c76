// fastai's lesson 1 for the imported folder: what the run will be (the panels' current fields,
// which each import proposes), the software-adapter caveat, one button that runs it, and its
// time estimated before it starts from measured batches. Nothing shows before an import.
import { estimateRun, LR_FIND_ITERS } from '../../../shared/recipe';
import { formatLr } from '../../../shared/schedule';
import type { RecipePhase } from '../../store/recipeSlice';
import { useStudio, type Studio } from '../../store/studio';
import { panelSetupArgs } from '../../store/trainSlice';
import { POLICY_LABEL } from './fitPolicy';
import { fmtTime } from './format';

/** The run in fastai's words: vision_learner(...), the item and batch transforms, the fit. */
function planLine(s: Studio): string {
  const a = panelSetupArgs(s);
  const f = s.fitOptions;
  const lr = formatLr(f.lr, (v) => v.toExponential(2));
  const fit = `${POLICY_LABEL[f.policy].replace(/ .*/, '')}(${f.epochs}, ${lr})`;
  return (
    `vision_learner(dls, ${a.arch}, pretrained=${a.pretrained ? 'True' : 'False'}, ` +
    `metrics=error_rate) · Resize(${a.size}, ${a.resize}) · aug ${a.aug} · bs ${a.bs} → ` +
    `lr_find() → ${fit}${f.precompute ? ' · precompute (lr_find and the frozen epoch on cached body features)' : ''}`
  );
}

/** The estimate, when the measured learner is the one the panel would run. */
function estimateLine(s: Studio): string | undefined {
  const t = s.stepTiming;
  if (!t) return undefined;
  if (JSON.stringify(s.trainSetupArgs) !== JSON.stringify(panelSetupArgs(s)))
    return 'the options changed since the last estimate: estimate again';
  const f = s.fitOptions;
  // fine_tune: one frozen epoch, then `epochs` unfrozen; another policy (the recipe without
  // WebGPU) trains the frozen model `epochs` times.
  const ft = f.policy === 'fine_tune';
  const plan = { epochs: ft ? f.epochs : 0, frozenEpochs: ft ? 1 : f.epochs };
  const e = estimateRun(t, { lrFind: true, precompute: !!f.precompute, ...plan });
  const sec = (ms: number) => fmtTime(ms / 1000);
  return (
    `about ${sec(e.totalMs)} in all (lr_find up to ${sec(e.lrFindMs)} for ${LR_FIND_ITERS} ` +
    `batches, the frozen epoch${plan.frozenEpochs > 1 ? 's' : ''} ${sec(e.frozenMs)}` +
    (plan.epochs ? `, ${plan.epochs} unfrozen ${sec(e.unfrozenMs)}` : '') +
    ') · ' +
    `measured: ${(t.frozenMs / 1000).toFixed(2)} s a frozen batch, ` +
    (t.unfrozenMs === undefined ? '' : `${(t.unfrozenMs / 1000).toFixed(2)} s unfrozen, `) +
    `${(t.validMs / 1000).toFixed(2)} s a validation batch; ${t.nTrain} + ${t.nValid} batches an epoch`
  );
}

const PHASE: Record<RecipePhase, string> = {
  setup: 'creating the learner…',
  lr_find: 'lr_find…',
  fine_tune: 'fine_tune…',
  estimate: 'timing a few batches (a warm-up and a timed one per phase)…',
};

export function RecipeCard() {
  const recipe = useStudio((s) => s.recipe);
  const software = useStudio((s) => s.recipeSoftware);
  const adapter = useStudio((s) => s.adapter);
  const plan = useStudio(planLine);
  const estimate = useStudio(estimateLine);
  const phase = useStudio((s) => s.recipePhase);
  const busy = useStudio((s) => s.trainStatus === 'running' || !!s.recipePhase);
  const runRecipe = useStudio((s) => s.runRecipe);
  const estimateRecipe = useStudio((s) => s.estimateRecipe);
  if (!recipe) return null;
  const emulator = /swiftshader/i.test(`${adapter?.architecture} ${adapter?.description}`)
    ? 'SwiftShader'
    : 'a software adapter';
  return (
    <div className="subcard" data-testid="recipe">
      <p data-testid="recipe-plan">
        fastai lesson 1: <code>{plan}</code>
      </p>
      {software && !adapter && (
        <p className="muted" data-testid="recipe-software">
          no WebGPU: the recipe trains the head only, fit_one_cycle on precomputed body features at{' '}
          {recipe.size} px; fine_tune (which trains the body) needs WebGPU
        </p>
      )}
      {software && adapter && (
        <p className="muted" data-testid="recipe-software">
          this GPU is a CPU emulator ({emulator}): the recipe runs at {recipe.size} px with lr_find
          and the frozen epoch on precomputed body features; a hardware GPU trains at 224 px
        </p>
      )}
      <div className="row">
        <button onClick={() => void runRecipe()} disabled={busy} data-testid="recipe-run">
          Run the recipe
        </button>
        <button
          className="secondary"
          onClick={() => void estimateRecipe()}
          disabled={busy}
          data-testid="recipe-estimate"
          title="creates the learner if needed and times a few of its batches"
        >
          Estimate time
        </button>
        <span className="muted" data-testid="recipe-estimate-text">
          {phase ? PHASE[phase] : estimate}
        </span>
      </div>
    </div>
  );
}
