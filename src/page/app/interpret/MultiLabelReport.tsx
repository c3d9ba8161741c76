// The multi-label report at the slider's threshold, recomputed on the main thread.
import { useMemo } from 'react';
import type { ResultOf } from '../../../shared/protocol';
import { multiLabelReport } from '../../../shared/interpretation';
import { useStudio } from '../../store/studio';
import { ReportTable } from './ReportTable';

export function MultiLabelReport({ r }: { r: ResultOf<'interpret'> }) {
  const thresh = useStudio((s) => s.interpretThresh);
  const setThresh = useStudio((s) => s.setInterpretThresh);
  // Cheap on the main thread: n x c comparisons, no tensors.
  const report = useMemo(() => multiLabelReport(r.probs, r.targets, r.vocab, thresh), [r, thresh]);
  return (
    <>
      <label className="row">
        threshold{' '}
        <input
          type="range"
          min={0.05}
          max={0.95}
          step={0.05}
          value={thresh}
          data-testid="thresh-slider"
          onChange={(e) => setThresh(Number(e.target.value))}
        />
        <span data-testid="thresh-value">{thresh.toFixed(2)}</span>
      </label>
      <ReportTable report={report} />
    </>
  );
}
