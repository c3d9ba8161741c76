import { useStudio } from '../../store/studio';
import { RgbCanvas } from './RgbCanvas';

/** fastai show_batch: augmented training samples with their labels, as the model will see them. */
export function ShowBatch() {
  const b = useStudio((s) => s.batchOptions);
  const set = useStudio((s) => s.setBatchOptions);
  const batch = useStudio((s) => s.dataBatch);
  const error = useStudio((s) => s.dataBatchError);
  const load = useStudio((s) => s.loadShowBatch);
  const ready = useStudio(
    (s) => s.dataStatus === 'ready' && (s.dataSummary?.images.train ?? 0) > 0,
  );
  return (
    <div>
      <div className="row">
        <label>
          Size{' '}
          <input
            type="number"
            min={16}
            max={512}
            step={16}
            value={b.size}
            onChange={(e) => set({ size: Number(e.target.value) })}
          />
        </label>
        <label>
          Item transform{' '}
          <select
            value={b.method}
            onChange={(e) => set({ method: e.target.value as typeof b.method })}
          >
            <option value="crop">Resize (crop)</option>
            <option value="squish">Resize (squish)</option>
            <option value="pad">Resize (pad)</option>
            <option value="randomResizedCrop">RandomResizedCrop</option>
          </select>
        </label>
        <label>
          Augmentation{' '}
          <select
            data-testid="aug-preset"
            value={b.aug}
            onChange={(e) => set({ aug: e.target.value as typeof b.aug })}
          >
            <option value="side-on">side-on photos (flip left-right)</option>
            <option value="top-down">top-down (all 8 flips/rotations)</option>
            <option value="none">none</option>
          </select>
        </label>
        <button data-testid="show-batch" disabled={!ready} onClick={() => void load()}>
          Show batch
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {batch.length > 0 && (
        <div className="batch-grid" data-testid="batch-grid">
          {batch.map((s, i) => (
            <figure key={i}>
              <RgbCanvas sample={s} size={96} />
              <figcaption>{s.labels.join('; ') || '(none)'}</figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}
