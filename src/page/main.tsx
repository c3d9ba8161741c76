import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installCliBridge } from './cli/bridge';
import { connectEvents } from './store/client';
import { applyWorkerEvents, useStudio } from './store/studio';
import './app/styles.css';

connectEvents(applyWorkerEvents);
installCliBridge();
void useStudio.getState().connect();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
