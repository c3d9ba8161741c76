// fastai's epoch table: train_loss, valid_loss, the metrics and the time of each epoch.
import { useStudio } from '../../store/studio';
import { fmtLoss, fmtTime } from './format';

export function EpochTable() {
  const epochs = useStudio((s) => s.trainEpochs);
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
          <tr key={i}>
            <td>{e.epoch}</td>
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
