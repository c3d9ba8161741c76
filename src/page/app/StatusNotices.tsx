// Reliability notices: what the worker did on its own to keep a run going (a lost GPU device
// replaced, a batch size halved after running out of GPU memory, a session restored after a
// reload). They arrive as `status` events in the store's log; the last few stay visible.
import { useStudio } from '../store/studio';

const NOTICE = /GPU device lost|recovered from GPU|out of GPU memory|session restored|restore/i;

export function StatusNotices() {
  const log = useStudio((s) => s.log);
  const notices = log.filter((m) => NOTICE.test(m)).slice(-3);
  if (!notices.length) return null;
  return (
    <section className="card notices" role="status" data-testid="status-notices">
      {notices.map((m, i) => (
        <p key={i}>{m}</p>
      ))}
    </section>
  );
}
