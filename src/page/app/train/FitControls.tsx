// The learner's freeze state and the run buttons: freeze, unfreeze, fit, stop, pause/resume.
import { useStudio } from '../../store/studio';

export function FitControls() {
  const running = useStudio((s) => s.trainStatus === 'running');
  const setup = useStudio((s) => s.trainSetup);
  const freeze = useStudio((s) => s.freezeState);
  const paused = useStudio((s) => s.trainPaused);
  const setupLearner = useStudio((s) => s.setupLearner);
  const setFrozen = useStudio((s) => s.setFrozen);
  const fit = useStudio((s) => s.fit);
  const stop = useStudio((s) => s.stop);
  const pauseTraining = useStudio((s) => s.pauseTraining);
  const start = async () => {
    if (!setup) await setupLearner();
    await fit();
  };
  const frozen = (freeze?.frozenGroups ?? 0) > 0;
  return (
    <div className="row">
      <span className="muted" data-testid="train-frozen">
        {setup && freeze
          ? frozen
            ? `body frozen (${freeze.frozenGroups} of ${freeze.groups} groups)`
            : `all ${freeze.groups} groups train`
          : ''}
      </span>
      <button
        className="secondary"
        onClick={() => void setFrozen(true)}
        disabled={running || !setup || frozen}
        data-testid="train-freeze"
      >
        Freeze
      </button>
      <button
        className="secondary"
        onClick={() => void setFrozen(false)}
        disabled={running || !setup || !frozen}
        data-testid="train-unfreeze"
      >
        Unfreeze
      </button>
      <button onClick={() => void start()} disabled={running} data-testid="fit">
        Fit
      </button>
      <button onClick={() => void stop()} disabled={!running} data-testid="fit-stop">
        Stop
      </button>
      <button
        onClick={() => void pauseTraining(!paused)}
        disabled={!running}
        data-testid="fit-pause"
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}
