// fastai's epoch table: train_loss, valid_loss, the metrics and the time of each epoch; with
// "keep best model", the epoch whose weights the model holds after the fit is marked.
import { useStudio } from '../../store/studio';
import { fmtLoss, fmtTime } from './format';

export function EpochTable() {
  const epochs = useStudio((s) => s.trainEpochs);
  const kept = useStudio((s) => s.trainResult?.kept);
  if (!epochs.length) return null;
  const metricNames = Object.keys(epochs[0].metrics);
  return (
    <table className="epochs" data-testid="epoch-table">
      <thead>
        <tr>
          <th>epoch</th>
          <th>train_loss</th>
          <th>valid_loss</th>
          {metricNames.map((m) => (
            <th key={m}>{m}</th>
          ))}
          <th>time</th>
        </tr>
      </thead>
      <tbody>
        {epochs.map((e, i) => (
          <tr
            key={i}
            className={i === kept ? 'kept' : undefined}
            data-testid={i === kept ? 'epoch-kept' : undefined}
            title={i === kept ? 'kept: the model holds this epoch’s weights' : undefined}
          >
            <td>
              {e.epoch}
              {i === kept && ' ★'}
            </td>
            <td>{fmtLoss(e.trainLoss)}</td>
            <td>{fmtLoss(e.validLoss)}</td>
            {metricNames.map((m) => (
              <td key={m}>{fmtLoss(e.metrics[m])}</td>
            ))}
            <td>{fmtTime(e.seconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
