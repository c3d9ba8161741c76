// The page: top bar, notices, then the panels as WAI-ARIA tabs (the open one is the ui slice's).
import { useStudio } from '../store/studio';
import { AdapterBadge } from './AdapterBadge';
import { FallbackBanner } from './FallbackBanner';
import { NoWebGPU } from './NoWebGPU';
import { PanelTab } from './PanelTab';
import { PANELS } from './panels';
import { RestoreBanner } from './RestoreBanner';
import { StatusNotices } from './StatusNotices';
import { restoreTheme, ThemeToggle } from './ThemeToggle';
import './ui.css';

restoreTheme();

export function App() {
  const status = useStudio((s) => s.engineStatus);
  const error = useStudio((s) => s.engineError);
  const active = useStudio((s) => s.tab);
  const setActive = useStudio((s) => s.setTab);
  const panel = PANELS.find((p) => p.id === active) ?? PANELS[0];
  return (
    <div className="app">
      <header className="topbar">
        <h1>Studio</h1>
        <span className="tagline">
          fast.ai in your browser, on WebGPU. Nothing leaves this machine.
        </span>
        <AdapterBadge />
        <ThemeToggle />
      </header>
      <FallbackBanner />
      <StatusNotices />
      <RestoreBanner />
      {status === 'unsupported' ? (
        <NoWebGPU detail={error} />
      ) : status === 'error' ? (
        <section className="card error" role="alert">
          <h2>The GPU engine failed to start</h2>
          <p>{error}</p>
        </section>
      ) : (
        <>
          <nav
            className="tabs"
            role="tablist"
            aria-label="Studio steps"
            onKeyDown={(e) => {
              // WAI-ARIA tabs: arrows move between tabs (wrapping), Home/End jump to the ends.
              const i = PANELS.indexOf(panel);
              const j =
                e.key === 'ArrowRight'
                  ? (i + 1) % PANELS.length
                  : e.key === 'ArrowLeft'
                    ? (i - 1 + PANELS.length) % PANELS.length
                    : e.key === 'Home'
                      ? 0
                      : e.key === 'End'
                        ? PANELS.length - 1
                        : -1;
              if (j < 0) return;
              e.preventDefault();
              setActive(PANELS[j].id);
              document.getElementById(`tab-${PANELS[j].id}`)?.focus();
            }}
          >
            {PANELS.map((p) => (
              <PanelTab
                key={p.id}
                panel={p}
                active={p === panel}
                onSelect={() => setActive(p.id)}
              />
            ))}
          </nav>
          <main id={`panel-${panel.id}`} role="tabpanel" aria-labelledby={`tab-${panel.id}`}>
            {panel.render()}
          </main>
        </>
      )}
    </div>
  );
}
