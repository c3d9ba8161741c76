// Offers the session autosaved before a reload or crash (src/page/store/restore.ts).
import { useEffect, useState } from 'react';
import type { AutosaveMeta } from '../../shared/autosaveStore';
import { useStudio } from '../store/studio';
import { autosaveInfo, discardAutosave, restoreAutosave, restoreBlocker } from '../store/restore';

export function RestoreBanner() {
  const [meta, setMeta] = useState<AutosaveMeta>();
  const [state, setState] = useState<'offer' | 'busy' | 'done'>('offer');
  const [error, setError] = useState<string>();
  // Re-evaluated when a folder gets imported (an imported-data session waits for it).
  useStudio((s) => s.dataSummary);
  useEffect(() => {
    void autosaveInfo().then(setMeta);
  }, []);
  if (!meta || state === 'done') return null;
  const blocker = restoreBlocker(meta);
  const restore = async () => {
    setState('busy');
    setError(undefined);
    try {
      await restoreAutosave();
      setState('done');
    } catch (e) {
      setError((e as Error).message);
      setState('offer');
    }
  };
  return (
    <section
      className="card notices"
      role="region"
      aria-label="Saved session"
      data-testid="restore-banner"
    >
      <p>
        A training session was saved on {new Date(meta.savedAt).toLocaleString()}: {meta.arch},{' '}
        {meta.epochs} epochs{meta.data === 'imported' ? `, ${meta.nImages} images` : ', demo data'}.
      </p>
      {blocker && <p>To restore it, {blocker}.</p>}
      {error && <p role="alert">{error}</p>}
      <button
        onClick={restore}
        disabled={state === 'busy' || !!blocker}
        data-testid="restore-session"
      >
        {state === 'busy' ? 'Restoring…' : 'Restore session'}
      </button>{' '}
      <button
        onClick={() => {
          void discardAutosave();
          setState('done');
        }}
      >
        Discard
      </button>
    </section>
  );
}
