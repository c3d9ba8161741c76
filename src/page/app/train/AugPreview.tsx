// The augmentation preset on a few imported training images, as the learner will see them.
import { useStudio } from '../../store/studio';
import { RgbCanvas } from '../data/RgbCanvas';

export function AugPreview() {
  const batch = useStudio((s) => s.dataBatch);
  const error = useStudio((s) => s.dataBatchError);
  if (error) return <p className="error">{error}</p>;
  if (!batch.length) return null;
  return (
    <div className="batch-grid small" data-testid="aug-preview">
      {batch.slice(0, 8).map((s, i) => (
        <figure key={i}>
          <RgbCanvas sample={s} size={64} />
          <figcaption>{s.labels.join('; ') || '(none)'}</figcaption>
        </figure>
      ))}
    </div>
  );
}
