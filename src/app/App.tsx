import { useState, type ReactNode } from 'react';
import { useStudio } from '../store/studio';
import { AdapterBadge } from './AdapterBadge';
import { DemoPanel } from './DemoPanel';
import { DataPanel } from './data/DataPanel';
import { NoWebGPU } from './NoWebGPU';
import { TrainPanel } from './train/TrainPanel';
import { WhatDoesItSee } from './models/WhatDoesItSee';

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
    id: 'train',
    title: 'Train',
    useStatus: () => {
      const running = useStudio((st) => st.demoRunning || st.trainStatus === 'running');
      const setup = useStudio((st) => st.trainSetup);
      const epochs = useStudio((st) => st.trainEpochs.length);
      if (running) return 'training…';
      return setup ? `${setup.arch} · ${epochs} epochs done` : 'demo ready';
    },
    render: () => (
      <>
        <DemoPanel />
        <TrainPanel />
      </>
    ),
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
      </header>
      {status === 'unsupported' ? (
        <NoWebGPU detail={error} />
      ) : status === 'error' ? (
        <section className="card error" role="alert">
          <h2>The GPU engine failed to start</h2>
          <p>{error}</p>
        </section>
      ) : (
        <>
          <nav className="tabs" role="tablist" aria-label="Studio steps">
            {PANELS.map((p) => (
              <PanelTab
                key={p.id}
                panel={p}
                active={p === panel}
                onSelect={() => setActive(p.id)}
              />
            ))}
          </nav>
          <main id={`panel-${panel.id}`} role="tabpanel">
            {panel.render()}
          </main>
        </>
      )}
    </div>
  );
}
