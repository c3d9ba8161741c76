// Predict: new images (files, a folder, or a drop) through the trained session model, optionally
// with TTA; a table of predictions with probabilities and top-3, a Grad-CAM per image, and CSV.
import { useState } from 'react';
import { filesFromDrop, filesFromInput, type PickedFile } from '../../walk';
import { IMAGE_EXTENSIONS, extensionOf } from '../../../shared/items';
import { useStudio } from '../../store/studio';
import { predictionsCsv } from './predictCsv';
import { CamCell } from './CamCell';

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
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [over, setOver] = useState(false);
  const take = (picked: PickedFile[]) => {
    const imgs = picked.filter(isImage);
    setFiles(imgs);
    if (imgs.length) void predictFiles(imgs, tta);
  };
  const ready = !!setup && status !== 'running';
  const byPath = new Map(files.map((f) => [f.path, f]));
  return (
    <section className="card" data-testid="predict-section">
      <h3>Predict</h3>
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="predict-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (ready) void filesFromDrop(e.dataTransfer).then((p) => take(p.files));
        }}
      >
        <p>
          Drop new images or a folder here, or{' '}
          <label className="button" htmlFor="predict-input">
            choose images
          </label>{' '}
          /{' '}
          <label className="button" htmlFor="predict-folder-input">
            a folder
          </label>
          <input
            id="predict-input"
            data-testid="predict-input"
            type="file"
            accept="image/*"
            multiple
            hidden
            disabled={!ready}
            onChange={(e) => {
              if (e.target.files?.length) take(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
          <input
            id="predict-folder-input"
            type="file"
            multiple
            hidden
            disabled={!ready}
            ref={(el) => el?.setAttribute('webkitdirectory', '')}
            onChange={(e) => {
              if (e.target.files?.length) take(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
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
        {!setup && <p className="muted">Train a model first (Train tab).</p>}
      </div>
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
