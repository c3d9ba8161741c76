// Predict: new images (files, a folder, or a drop) through the trained session model, optionally
// with TTA; a table of predictions with probabilities and top-3, a Grad-CAM per image, and CSV.
import { useState } from 'react';
import type { Picked, PickedFile } from '../../walk';
import { IMAGE_EXTENSIONS, extensionOf } from '../../../shared/items';
import { useStudio } from '../../store/studio';
import { predictionsCsv } from './predictCsv';
import { CamCell } from './CamCell';
import { DropZone, FilesInput } from '../DropZone';

const isImage = (f: PickedFile) => IMAGE_EXTENSIONS.has(extensionOf(f.path));

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function PredictSection() {
  const setup = useStudio((s) => s.trainSetup);
  const predictions = useStudio((s) => s.predictions);
  const status = useStudio((s) => s.predictStatus);
  const error = useStudio((s) => s.predictError);
  const predictFiles = useStudio((s) => s.predictFiles);
  const [tta, setTta] = useState(false);
  const snapshots = useStudio((s) => s.snapshotEpochs?.length ?? 0);
  const [ensemble, setEnsemble] = useState(false);
  const [files, setFiles] = useState<PickedFile[]>([]);
  const take = ({ files: picked }: Picked) => {
    const imgs = picked.filter(isImage);
    setFiles(imgs);
    if (imgs.length) void predictFiles(imgs, tta, ensemble && snapshots > 0);
  };
  const ready = !!setup && status !== 'running';
  const byPath = new Map(files.map((f) => [f.path, f]));
  return (
    <section className="card" data-testid="predict-section">
      <h3>Predict</h3>
      <DropZone testId="predict-dropzone" disabled={!ready} onPick={take}>
        <p>
          Drop new images or a folder here, or{' '}
          <label className="button" htmlFor="predict-input">
            choose images
          </label>{' '}
          /{' '}
          <label className="button" htmlFor="predict-folder-input">
            a folder
          </label>
          <FilesInput
            id="predict-input"
            testId="predict-input"
            accept="image/*"
            disabled={!ready}
            onPick={take}
          />
          <FilesInput id="predict-folder-input" folder disabled={!ready} onPick={take} />
        </p>
        <label>
          <input
            type="checkbox"
            data-testid="predict-tta"
            checked={tta}
            onChange={(e) => setTta(e.target.checked)}
          />{' '}
          test-time augmentation (4 augmented passes + the plain one, fastai tta)
        </label>
        {snapshots > 0 && (
          <label>
            <input
              type="checkbox"
              data-testid="predict-ensemble"
              checked={ensemble}
              onChange={(e) => setEnsemble(e.target.checked)}
            />{' '}
            snapshot ensemble (mean of {snapshots} snapshots)
          </label>
        )}
        {!setup && <p className="muted">Train a model first (Train tab).</p>}
      </DropZone>
      {status === 'running' && <p className="muted">predicting {files.length} images…</p>}
      {error && <p className="error">{error}</p>}
      {predictions.length > 0 && (
        <>
          <div className="row">
            <button
              data-testid="predict-csv"
              onClick={() => download('predictions.csv', predictionsCsv(predictions, 3))}
            >
              Download CSV
            </button>
            <span className="muted">{predictions.length} images</span>
          </div>
          <table className="report predict-table" data-testid="predict-table">
            <thead>
              <tr>
                <th>file</th>
                <th>prediction</th>
                <th>probability</th>
                <th>top 3</th>
                <th>Grad-CAM</th>
              </tr>
            </thead>
            <tbody>
              {predictions.map((p) => (
                <tr key={p.path} data-path={p.path}>
                  <th title={p.path}>{p.path.slice(p.path.lastIndexOf('/') + 1)}</th>
                  {p.error ? (
                    <td colSpan={4} className="error">
                      {p.error}
                    </td>
                  ) : (
                    <>
                      <td data-testid="predicted">{p.predicted.join('; ') || '∅'}</td>
                      <td>{p.prob.toFixed(3)}</td>
                      <td className="muted">
                        {p.top.map((t) => `${t.label} ${t.prob.toFixed(2)}`).join(' · ')}
                      </td>
                      <td>{byPath.get(p.path) && <CamCell file={byPath.get(p.path)!} />}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
