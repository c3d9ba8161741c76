// The Train panel: LR finder (plot, suggestions, click to pick), fit controls, live progress with
// ETA and images/s, live loss and schedule charts, and the fastai epoch table. The model comes
// from the Model panel (store: modelChoice); the learner's and the fit's settings live in the
// store's train slice.
import { useStudio } from '../../store/studio';
import { EpochTable } from './EpochTable';
import { FitControls } from './FitControls';
import { FitOptions } from './FitOptions';
import { fmtLr } from './format';
import { LearnerOptions } from './LearnerOptions';
import { LrFinder } from './LrFinder';
import { Progress } from './Progress';
import { RecipeCard } from './RecipeCard';
import { EngineLine } from './EngineLine';
import { TrainCharts } from './TrainCharts';

export function TrainPanel() {
  const error = useStudio((s) => s.trainError);
  const result = useStudio((s) => s.trainResult);
  return (
    <section className="card" aria-labelledby="train-title" data-testid="train-panel">
      <h2 id="train-title">Train</h2>
      <RecipeCard />
      <LearnerOptions />
      <LrFinder />
      <FitOptions />
      <FitControls />
      <Progress />
      <EngineLine />
      <TrainCharts />
      <EpochTable />
      {result?.diverged && (
        <p className="error" role="alert">
          Training diverged at iteration {result.diverged.iter} (lr {fmtLr(result.diverged.lr)},
          loss {result.diverged.loss}): the last good weights were restored. Try a lower learning
          rate.
        </p>
      )}
      {result?.stopped && !result.diverged && (
        <p data-testid="stopped">Stopped: the weights so far are kept.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
