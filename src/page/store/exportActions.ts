// Main-thread export/import actions, shared by the Export panel and the CLI bridge: they call the
// worker's exportModel/importSession and keep the store's Train state in step with an import.
import type { ExportArgs, ImportSessionResult } from '../../shared/protocol';
import { useStudio, worker } from './studio';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/formats';

export interface ExportFile {
  /** Relative path in the export folder (`tfjs/model.json` when several formats are exported). */
  name: string;
  bytes: ArrayBuffer;
}

/** One format's files, or every format (`all`) with the TF.js files under `tfjs/`. */
export async function exportFiles(
  format: ExportFormat | 'all',
  script?: ExportArgs['script'],
): Promise<ExportFile[]> {
  if (!(await useStudio.getState().connect())) throw new Error('WebGPU is not available');
  const formats = format === 'all' ? EXPORT_FORMATS : [format];
  const out: ExportFile[] = [];
  for (const f of formats) {
    const { files } = await worker().call('exportModel', { format: f, script });
    const dir = format === 'all' && f === 'tfjs' ? 'tfjs/' : '';
    out.push(...files.map((x) => ({ name: dir + x.name, bytes: x.bytes })));
  }
  return out;
}

/** Imports a session archive; on success the Train panel shows the restored session. */
export async function importSessionBytes(bytes: ArrayBuffer): Promise<ImportSessionResult> {
  if (!(await useStudio.getState().connect())) throw new Error('WebGPU is not available');
  const r = await worker().call('importSession', { bytes });
  useStudio.setState({
    trainSetup: r.setup,
    trainEpochs: [],
    trainBatches: [],
    trainResult: undefined,
    lrFindResult: undefined,
    trainError: undefined,
  });
  return r;
}
