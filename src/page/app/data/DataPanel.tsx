import { useStudio } from '../../store/studio';
import './data.css';
import { FolderPicker } from './FolderPicker';
import { ImportSummaryView } from './ImportSummaryView';
import { LabelOptions } from './LabelOptions';
import { RgbCanvas } from './RgbCanvas';
import { ShowBatch } from './ShowBatch';
import { WebcamCapture } from './WebcamCapture';

export function DataPanel() {
  const status = useStudio((s) => s.dataStatus);
  const progress = useStudio((s) => s.dataProgress);
  const summary = useStudio((s) => s.dataSummary);
  const error = useStudio((s) => s.dataError);
  const samples = useStudio((s) => s.dataSamples);
  const classes = summary?.classes ?? [];
  return (
    <section className="card" aria-labelledby="data-title" data-testid="data-panel">
      <h2 id="data-title">Data</h2>
      <FolderPicker />
      <WebcamCapture />
      <LabelOptions />
      {status === 'importing' && (
        <p data-testid="import-progress">
          Decoding… <progress max={progress.of || 1} value={progress.done} /> {progress.done}/
          {progress.of}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summary && <ImportSummaryView summary={summary} />}
      {samples.length > 0 && (
        <div className="thumbs" data-testid="class-thumbnails">
          {classes.map((c) => (
            <div key={c} className="thumb-row">
              <span className="thumb-label">{c}</span>
              {samples
                .filter((s) => s.labels[0] === c)
                .map((s) => (
                  <RgbCanvas key={s.path} sample={s} size={56} />
                ))}
            </div>
          ))}
        </div>
      )}
      {summary && <ShowBatch />}
    </section>
  );
}
