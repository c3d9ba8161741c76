import { useState, type ReactNode } from 'react';
import { useStudio } from '../store/studio';
import { AdapterBadge } from './AdapterBadge';
import { DemoPanel } from './DemoPanel';
import { DataPanel } from './data/DataPanel';
import { NoWebGPU } from './NoWebGPU';
import { TrainPanel } from './train/TrainPanel';
import { WhatDoesItSee } from './models/WhatDoesItSee';
import { ModelPanel, modelStatusLine } from './model/ModelPanel';
import { ExportPanel } from './export/ExportPanel';
import { InterpretPanel } from './interpret/InterpretPanel';
import { restoreTheme, ThemeToggle } from './ThemeToggle';
import './ui.css';
import { StatusNotices } from './StatusNotices';
import { RestoreBanner } from './RestoreBanner';

restoreTheme();

interface PanelDef {
  id: string;
  title: string;
  /** One line of state, always visible in the nav ("3 classes · 412 images"). */
  useStatus: () => string;
  render: () => ReactNode;
}

// The flow, left to right: each panel is always reachable and says where it stands.
const PANELS: PanelDef[] = [
  {
    id: 'data',
    title: 'Data',
    useStatus: () => {
      const s = useStudio((st) => st.dataSummary);
      return s
        ? `${s.classes.length} classes · ${s.images.train + s.images.valid} images`
        : 'no folder yet';
    },
    render: () => <DataPanel />,
  },
  {
    id: 'model',
    title: 'Model',
    useStatus: () => useStudio(modelStatusLine),
    render: () => <ModelPanel />,
  },
  {
    id: 'train',
    title: 'Train',
    useStatus: () => {
      const running = useStudio((st) => st.trainStatus === 'running');
      const setup = useStudio((st) => st.trainSetup);
      const epochs = useStudio((st) => st.trainEpochs.length);
      if (running) return 'training…';
      return setup ? `${setup.arch} · ${epochs} epochs done` : 'demo ready';
    },
    render: () => (
      <>
        <TrainPanel />
        <DemoPanel />
      </>
    ),
  },
  {
    id: 'interpret',
    title: 'Interpret',
    useStatus: () => {
      const r = useStudio((st) => st.interpretResult);
      const setup = useStudio((st) => st.trainSetup);
      if (r) return `${r.n} images · ${(100 * r.report.accuracy).toFixed(1)}% right`;
      return setup ? 'not run yet' : 'train first';
    },
    render: () => <InterpretPanel />,
  },
  {
    id: 'export',
    title: 'Export',
    useStatus: () => {
      const setup = useStudio((st) => st.trainSetup);
      const epochs = useStudio((st) => st.trainEpochs.length);
      return setup
        ? `${setup.arch} · ${epochs ? 'trained' : 'untrained'}`
        : 'nothing to export yet';
    },
    render: () => <ExportPanel />,
  },
  {
    id: 'see',
    title: 'What does it see?',
    useStatus: () => 'ImageNet ResNet50',
    render: () => <WhatDoesItSee />,
  },
];

function PanelTab({
  panel,
  active,
  onSelect,
}: {
  panel: PanelDef;
  active: boolean;
  onSelect: () => void;
}) {
  const status = panel.useStatus();
  return (
    <button
      role="tab"
      id={`tab-${panel.id}`}
      tabIndex={active ? 0 : -1}
      aria-selected={active}
      aria-controls={`panel-${panel.id}`}
      className={active ? 'tab active' : 'tab'}
      onClick={onSelect}
      data-testid={`tab-${panel.id}`}
    >
      <b>{panel.title}</b>
      <span className="tab-status">{status}</span>
    </button>
  );
}

export function App() {
  const status = useStudio((s) => s.engineStatus);
  const error = useStudio((s) => s.engineError);
  const [active, setActive] = useState('data');
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
