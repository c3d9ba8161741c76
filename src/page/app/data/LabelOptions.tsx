import { useMemo } from 'react';
import { readLayout } from '../../../shared/items';
import { regexLabeller, type LabelResult } from '../../../shared/labelers';
import { filesFromInput } from '../../walk';
import { useStudio } from '../../store/studio';

const PREVIEW_ROWS = 8;

type RegexPreview =
  | { ok: true; rows: { name: string; r: LabelResult }[]; unmatched: number; total: number }
  | { ok: false; error: string };

/** Label mode (folder / regex with a live preview / CSV), validation share, seed. */
export function LabelOptions() {
  const o = useStudio((s) => s.dataOptions);
  const set = useStudio((s) => s.setDataOptions);
  const files = useStudio((s) => s.dataFiles);
  const csvFiles = useStudio((s) => s.dataCsvFiles);
  const setCsvFiles = useStudio((s) => s.setCsvFiles);
  const runImport = useStudio((s) => s.runImport);
  const busy = useStudio((s) => s.dataStatus === 'importing');

  // fastai from_name_re preview: what each file would be labelled, before importing.
  const preview = useMemo((): RegexPreview | undefined => {
    if (o.labelMode !== 'regex' || !o.labelRe) return undefined;
    try {
      const label = regexLabeller(o.labelRe);
      const { candidates } = readLayout(files.map((f) => ({ path: f.path, size: f.file.size })));
      const rows = candidates.map((c) => ({ name: c.name, r: label(c) }));
      return {
        ok: true,
        rows: rows.slice(0, PREVIEW_ROWS),
        unmatched: rows.filter((x) => 'error' in x.r).length,
        total: rows.length,
      };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }, [o.labelMode, o.labelRe, files]);

  return (
    <div className="label-options">
      <div className="row">
        <label>
          Labels from{' '}
          <select
            data-testid="label-mode"
            value={o.labelMode}
            onChange={(e) => set({ labelMode: e.target.value as typeof o.labelMode })}
          >
            <option value="folder">class folder</option>
            <option value="regex">file name (regex)</option>
            <option value="csv">CSV (multi-label)</option>
          </select>
        </label>
        <label>
          Validation %{' '}
          <input
            type="number"
            min={0}
            max={90}
            step={5}
            data-testid="valid-pct"
            value={Math.round(o.validPct * 100)}
            onChange={(e) => set({ validPct: Number(e.target.value) / 100 })}
          />
        </label>
        <label>
          Seed{' '}
          <input
            type="number"
            data-testid="seed"
            value={o.seed}
            onChange={(e) => set({ seed: Number(e.target.value) })}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={!!o.stratify}
            onChange={(e) => set({ stratify: e.target.checked })}
          />{' '}
          stratified
        </label>
        <button
          data-testid="apply-import"
          disabled={busy || files.length === 0}
          onClick={() => void runImport()}
        >
          Apply
        </button>
      </div>
      {o.labelMode === 'regex' && (
        <div>
          <label>
            Pattern (group 1 is the label){' '}
            <input
              data-testid="label-re"
              placeholder="^(.+)_\d+\.jpg$"
              value={o.labelRe ?? ''}
              onChange={(e) => set({ labelRe: e.target.value })}
              size={30}
            />
          </label>
          {preview && !preview.ok && <p className="error">{preview.error}</p>}
          {preview?.ok && (
            <table className="preview" data-testid="regex-preview">
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={r.name}>
                    <td>{r.name}</td>
                    <td>
                      {'labels' in r.r ? (
                        r.r.labels[0]
                      ) : (
                        <span className="muted">no match: skipped</span>
                      )}
                    </td>
                  </tr>
                ))}
                <tr>
                  <td colSpan={2} className="muted">
                    {preview.total - preview.unmatched} of {preview.total} files get a label
                  </td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
      )}
      {/* Kept mounted (not just shown) so the CLI can hand CSVs to #labels-input in any mode. */}
      <div className="row" style={{ display: o.labelMode === 'csv' ? undefined : 'none' }}>
        <label>
          Labels CSV (filename,labels){' '}
          <input
            id="labels-input"
            data-testid="labels-input"
            type="file"
            accept=".csv,text/csv"
            multiple
            onChange={(e) => setCsvFiles(e.target.files ? filesFromInput(e.target.files) : [])}
          />
        </label>
        <label>
          separator{' '}
          <input
            value={o.labelSep ?? ';'}
            size={2}
            onChange={(e) => set({ labelSep: e.target.value })}
          />
        </label>
        <span className="muted">
          {csvFiles.length
            ? csvFiles.map((f) => f.path).join(', ')
            : 'or the CSVs inside the folder'}
        </span>
      </div>
    </div>
  );
}
