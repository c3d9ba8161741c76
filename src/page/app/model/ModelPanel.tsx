// The Model panel: choose the architecture and its starting weights (random init, the bundled
// ImageNet ResNet50, or dropped safetensors / .pth / TF.js files), see the model's state, and
// freeze or unfreeze the learner's body. The Train panel builds its learner from this choice.
import { ARCH_CHOICES, ARCH_NAMES } from '../../store/modelSlice';
import { useStudio } from '../../store/studio';
import { ModelState } from './ModelState';
import { WeightDrop } from './WeightDrop';

export function ModelPanel() {
  const choice = useStudio((s) => s.modelChoice);
  const choose = useStudio((s) => s.chooseArch);
  const status = useStudio((s) => s.modelStatus);
  const error = useStudio((s) => s.modelError);
  const setupLearner = useStudio((s) => s.setupLearner);
  const setFrozen = useStudio((s) => s.setFrozen);
  const running = useStudio((s) => s.trainStatus === 'running');
  const hasLearner = useStudio((s) => !!s.trainSetup);
  const freeze = useStudio((s) => s.freezeState);
  const choiceId = choice.source === 'imagenet' ? 'resnet50-imagenet' : choice.arch;
  return (
    <section className="card" aria-labelledby="model-title" data-testid="model-panel">
      <h2 id="model-title">Model</h2>
      <fieldset className="arch-choices" disabled={running}>
        <legend>Architecture and starting weights</legend>
        {ARCH_CHOICES.map((a) => (
          <label key={a.id} className="radio">
            <input
              type="radio"
              name="arch"
              value={a.id}
              checked={choice.source !== 'weights' && choiceId === a.id}
              onChange={() => void choose(a.id)}
              data-testid={`arch-${a.id}`}
            />{' '}
            {a.label}
          </label>
        ))}
        {choice.source === 'weights' && (
          <label className="radio">
            <input type="radio" name="arch" checked readOnly /> {ARCH_NAMES[choice.arch]} · imported
            weights
          </label>
        )}
      </fieldset>
      {status === 'loading' && <p data-testid="model-loading">Loading weights…</p>}
      {error && (
        <p className="error" role="alert" data-testid="model-error">
          {/unchanged/.test(error)
            ? error
            : `${error.replace(/\.?\s*$/, '.')} The current model is unchanged.`}
        </p>
      )}
      <WeightDrop />
      <ModelState />
      <div className="row">
        <button
          onClick={() => void setupLearner()}
          disabled={running || status === 'loading'}
          data-testid="model-setup"
        >
          {hasLearner ? 'Recreate learner with this model' : 'Create learner with this model'}
        </button>
        <button
          onClick={() => void setFrozen(true)}
          disabled={running || !hasLearner || (freeze?.frozenGroups ?? 0) > 0}
          data-testid="model-freeze"
        >
          Freeze body
        </button>
        <button
          onClick={() => void setFrozen(false)}
          disabled={running || !hasLearner || freeze?.frozenGroups === 0}
          data-testid="model-unfreeze"
        >
          Unfreeze all
        </button>
      </div>
    </section>
  );
}
