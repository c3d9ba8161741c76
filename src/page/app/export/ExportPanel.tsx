// The Export panel: one button per format (the store's exportFiles), each file downloaded through
// a Blob and an a[download]; and "Import session" for archives (the store's importSession, as
// the CLI's import-session and the autosave restore).
import { useState, type ReactNode } from 'react';
import type { ExportFormat } from '../../../shared/protocol';
import { useStudio } from '../../store/studio';

export interface ExportedFile {
  name: string;
  bytes: ArrayBuffer | Uint8Array | string;
}

const FORMATS: { id: ExportFormat; title: string; what: string }[] = [
  {
    id: 'safetensors',
    title: 'safetensors + config.json',
    what: 'weights with torchvision/timm key names and the head, plus architecture, classes, input size and normalisation: loads in PyTorch',
  },
  {
    id: 'tfjs',
    title: 'TF.js model',
    what: 'model.json + weight shards and a minimal inference snippet for any web page',
  },
  {
    id: 'session',
    title: 'Session archive (.zip)',
    what: 'model, optimizer state, recorder history, classes, split and settings: import it to resume training where it stopped',
  },
  {
    id: 'script',
    title: 'Reproduction script',
    what: 'a fastai + PyTorch script with the same data layout, architecture, schedule and hyper-parameters',
  },
  {
    id: 'page',
    title: 'One-file page (.html)',
    what: 'the model and a small runtime in one .html: classifies dropped images and webcam frames offline (even from file://), top-3 probabilities, optional TTA',
  },
];

/** Saves one file through a Blob URL and a temporary a[download]. */
export function download(file: ExportedFile) {
  const blob = new Blob([file.bytes as BlobPart]);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name.split('/').pop() || 'export';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const size = (f: ExportedFile) => {
  const n = typeof f.bytes === 'string' ? f.bytes.length : f.bytes.byteLength;
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n > 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
};

export function ExportPanel() {
  const setup = useStudio((s) => s.trainSetup);
  const running = useStudio((s) => s.trainStatus === 'running');
  const exportFiles = useStudio((s) => s.exportFiles);
  const importSessionBytes = useStudio((s) => s.importSession);
  const [busy, setBusy] = useState<string>();
  const [f16, setF16] = useState(false);
  // The last fit's (or imported session's) snapshot ensemble: in the page by default.
  const snapshots = useStudio((s) => s.snapshotEpochs?.length ?? 0);
  const [ensemble, setEnsemble] = useState(true);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [warnings, setWarnings] = useState<string[]>([]);
  const [done, setDone] = useState<{ format: string; files: { name: string; size: string }[] }>();

  const exportAs = async (format: ExportFormat) => {
    setBusy(format);
    setMessage(undefined);
    try {
      const files = await exportFiles(
        format,
        format === 'page' ? { f16, ensemble: ensemble && snapshots > 0 } : undefined,
      );
      files.forEach(download);
      setDone({ format, files: files.map((f) => ({ name: f.name, size: size(f) })) });
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(undefined);
    }
  };

  const importSession = async (file: File | undefined) => {
    if (!file) return;
    setBusy('import');
    setMessage(undefined);
    setWarnings([]);
    try {
      const r = await importSessionBytes(await file.arrayBuffer(), file.name);
      if (r.warnings.length) setWarnings(r.warnings);
      setMessage({
        ok: true,
        text: `Imported ${file.name}: ${r.epochs} epochs, ${r.iterations} iterations; training can continue from here.`,
      });
    } catch (e) {
      // The worker's archive errors already name the file.
      const m = (e as Error).message;
      setMessage({ ok: false, text: m.startsWith(file.name) ? m : `${file.name}: ${m}` });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="card" aria-labelledby="export-title" data-testid="export-panel">
      <h2 id="export-title">Export</h2>
      <p className="muted">
        {setup
          ? `The learner: ${setup.arch} · ${setup.vocab.length} classes.`
          : 'Create and train a learner first (Train panel).'}
      </p>
      <div className="export-grid">
        {FORMATS.map((f) => (
          <div key={f.id} className="subcard">
            <button
              onClick={() => void exportAs(f.id)}
              disabled={!setup || running || !!busy}
              data-testid={`export-${f.id}`}
            >
              {busy === f.id ? 'Exporting…' : f.title}
            </button>
            <p className="muted">{f.what}</p>
            {f.id === 'page' && (
              <Toggle on={f16} set={setF16} testId="export-f16">
                f16 weights (half the size)
              </Toggle>
            )}
            {f.id === 'page' && snapshots > 0 && (
              <Toggle on={ensemble} set={setEnsemble} testId="export-ensemble">
                snapshot ensemble ({snapshots} snapshots)
              </Toggle>
            )}
          </div>
        ))}
      </div>
      {done && (
        <div data-testid="export-files">
          <p>Downloaded ({done.format}):</p>
          <ul>
            {done.files.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> · {f.size}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="subcard">
        <label className="dropzone">
          {busy === 'import' ? 'Importing…' : 'Import session (.zip): resume a saved training run'}
          <input
            type="file"
            accept=".zip"
            className="visually-hidden"
            disabled={running || !!busy}
            data-testid="import-session"
            onChange={(e) => {
              void importSession(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {warnings.length > 0 && (
        <ul className="warnings" data-testid="import-warnings">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {message && (
        <p
          className={message.ok ? 'ok' : 'error'}
          role={message.ok ? 'status' : 'alert'}
          data-testid="export-message"
        >
          {message.text}
        </p>
      )}
    </section>
  );
}

function Toggle(p: { on: boolean; set(v: boolean): void; testId: string; children: ReactNode }) {
  return (
    <label>
      <input
        type="checkbox"
        checked={p.on}
        onChange={(e) => p.set(e.target.checked)}
        data-testid={p.testId}
      />{' '}
      {p.children}
    </label>
  );
}
