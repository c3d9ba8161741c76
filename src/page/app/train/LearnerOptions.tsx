// The learner's options (data, batch size, image size, resize, augmentation, label smoothing), the
// button that creates it from them and the Model panel's choice.
import { useStudio } from '../../store/studio';
import { modelStatusLine } from '../model/status';
import { AugPreview } from './AugPreview';

export function LearnerOptions() {
  const o = useStudio((s) => s.trainOptions);
  const setO = useStudio((s) => s.setTrainOptions);
  const imported = useStudio((s) => s.dataSummary);
  const dataReady = useStudio(
    (s) => s.dataStatus === 'ready' && (s.dataSummary?.images.train ?? 0) > 0,
  );
  const setBatchOptions = useStudio((s) => s.setBatchOptions);
  const loadShowBatch = useStudio((s) => s.loadShowBatch);
  const running = useStudio((s) => s.trainStatus === 'running');
  const setup = useStudio((s) => s.trainSetup);
  const setupLearner = useStudio((s) => s.setupLearner);
  const modelLine = useStudio(modelStatusLine);
  const usable = !!imported && !imported.errors.length;
  const data = usable && o.data === 'imported' ? 'imported' : 'demo';
  const preview = (aug: typeof o.aug, size = o.size) => {
    if (!dataReady) return;
    setBatchOptions({ aug, size: Math.max(16, size), method: o.resize });
    void loadShowBatch(8);
  };
  return (
    <div className="subcard">
      <p className="muted" data-testid="train-learner">
        Model: <b>{modelLine}</b> (choose it in the Model panel) · Learner:{' '}
        {setup
          ? `${setup.arch} · ${setup.groups} groups · ${setup.nParams.toLocaleString()} parameters · classes ${setup.vocab.join(', ')}`
          : 'not created yet'}
      </p>
      <div className="row">
        <label>
          data{' '}
          <select
            value={data}
            onChange={(e) => setO({ data: e.target.value as 'demo' | 'imported' })}
            disabled={running || !usable}
            data-testid="train-data"
          >
            <option value="demo">built-in demo patterns</option>
            {usable && (
              <option value="imported">imported folder ({imported.classes.length} classes)</option>
            )}
          </select>
        </label>
        <label>
          batch size{' '}
          <input
            type="number"
            min={1}
            value={o.bs}
            onChange={(e) => setO({ bs: Number(e.target.value) })}
            disabled={running}
          />
        </label>
        <label>
          image size{' '}
          <input
            type="number"
            min={8}
            value={o.size}
            onChange={(e) => setO({ size: Number(e.target.value) })}
            disabled={running}
          />
        </label>
        <label title="fastai's Resize(size, method) of the imported images">
          resize{' '}
          <select
            value={o.resize}
            onChange={(e) => setO({ resize: e.target.value as typeof o.resize })}
            disabled={running}
            data-testid="train-resize"
          >
            <option value="crop">crop</option>
            <option value="squish">squish</option>
            <option value="pad">pad</option>
          </select>
        </label>
        <label>
          augmentation{' '}
          <select
            value={o.aug}
            onChange={(e) => {
              const aug = e.target.value as typeof o.aug;
              setO({ aug });
              preview(aug);
            }}
            disabled={running}
            data-testid="train-aug"
          >
            <option value="side-on">side-on photos (flip)</option>
            <option value="top-down">top-down (8 dihedral)</option>
            <option value="none">none</option>
          </select>
        </label>
        <button
          className="secondary"
          onClick={() => preview(o.aug)}
          disabled={!dataReady || data !== 'imported'}
          data-testid="aug-preview-button"
          title={dataReady ? 'show augmented training images' : 'import a folder first'}
        >
          Preview augmentation
        </button>
        <label>
          <input
            type="checkbox"
            checked={o.labelSmoothing}
            onChange={(e) => setO({ labelSmoothing: e.target.checked })}
            disabled={running}
          />{' '}
          label smoothing
        </label>
        <button onClick={() => void setupLearner()} disabled={running} data-testid="learn-setup">
          {setup ? 'Recreate learner' : 'Create learner'}
        </button>
      </div>
      {data === 'imported' && <AugPreview />}
    </div>
  );
}
