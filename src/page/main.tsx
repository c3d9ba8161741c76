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
// The offline app (public/sw.js, README: Hosting the built site). Only the build has one: the
// dev server serves modules live. Without a secure context there is none, and nothing is lost.
if (import.meta.env.PROD && 'serviceWorker' in navigator)
  navigator.serviceWorker
    .register('./sw.js')
    .catch((e: unknown) => console.warn(`no offline app: sw.js did not register (${String(e)})`));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
