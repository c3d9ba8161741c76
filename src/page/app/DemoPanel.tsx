import { LiveLineChart } from './charts/LiveLineChart';
import { useStudio } from '../store/studio';
import { DEMO_CLASSES } from '../../shared/demoShapes';

export function DemoPanel() {
  const ready = useStudio((s) => s.engineStatus === 'ready');
  // The demo runs on the Train panel's Learner: its batches are the train slice's.
  const running = useStudio((s) => s.trainStatus === 'running');
  const batches = useStudio((s) => s.trainBatches);
  const progress = { step: batches.at(-1)?.iter ?? 0, of: batches.at(-1)?.of ?? 0 };
  const result = useStudio((s) => s.demoResult);
  const error = useStudio((s) => s.demoError);
  const trainDemo = useStudio((s) => s.trainDemo);
  const stop = useStudio((s) => s.stop);
  return (
    <section className="card" aria-labelledby="demo-title">
      <h2 id="demo-title">Try it: train a small CNN right now</h2>
      <p>
        A built-in dataset of patterns ({DEMO_CLASSES.join(', ')}), drawn on the fly. One click
        trains a tiny convnet on your GPU in a background worker; the page stays responsive.
      </p>
      <div className="row">
        <button
          onClick={() => void trainDemo()}
          disabled={!ready || running}
          data-testid="train-demo"
        >
          {running ? 'Training…' : 'Train the demo'}
        </button>
        <button onClick={() => void stop()} disabled={!running} data-testid="stop">
          Stop
        </button>
        <progress max={progress.of || 1} value={progress.step} aria-label="demo progress" />
        <span data-testid="demo-step">
          {progress.step}/{progress.of}
        </span>
      </div>
      <div className="chart" data-testid="loss-chart">
        <LiveLineChart
          label="training loss per batch"
          xDomain={[0, Math.max(1, progress.of)]}
          format={(v) => v.toFixed(2)}
          series={[
            {
              name: 'loss',
              color: 'var(--accent)',
              points: batches.map((b) => ({ x: b.iter, y: b.loss })),
            },
          ]}
        />
      </div>
      {result && (
        <p data-testid="demo-result">
          {result.stopped ? 'Stopped' : 'Done'} after {result.losses.length} steps in{' '}
          {result.seconds.toFixed(1)} s · last loss {result.losses.at(-1)?.toFixed(6)} · accuracy on
          64 fresh shapes {(result.accuracy * 100).toFixed(1)}%
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
