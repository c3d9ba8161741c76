// The panels in the flow's order, each with its tab's one-line status.
import type { ReactNode } from 'react';
import { useStudio } from '../store/studio';
import type { Tab } from '../store/uiSlice';
import { DataPanel } from './data/DataPanel';
import { DemoPanel } from './DemoPanel';
import { ExportPanel } from './export/ExportPanel';
import { InterpretPanel } from './interpret/InterpretPanel';
import { ModelPanel } from './model/ModelPanel';
import { modelStatusLine } from './model/status';
import { WhatDoesItSee } from './model/WhatDoesItSee';
import { TrainPanel } from './train/TrainPanel';

export interface PanelDef {
  id: Tab;
  title: string;
  /** One line of state, always visible in the nav ("3 classes · 412 images"). */
  useStatus: () => string;
  render: () => ReactNode;
}

// The flow, left to right: each panel is always reachable and says where it stands.
export const PANELS: PanelDef[] = [
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
