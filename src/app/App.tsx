import { useStudio } from '../store/studio';
import { AdapterBadge } from './AdapterBadge';
import { DemoPanel } from './DemoPanel';
import { NoWebGPU } from './NoWebGPU';

export function App() {
  const status = useStudio((s) => s.engineStatus);
  const error = useStudio((s) => s.engineError);
  return (
    <div className="app">
      <header className="topbar">
        <h1>Studio</h1>
        <span className="tagline">
          fast.ai in your browser, on WebGPU. Nothing leaves this machine.
        </span>
        <AdapterBadge />
      </header>
      <main>
        {status === 'unsupported' ? (
          <NoWebGPU detail={error} />
        ) : status === 'error' ? (
          <section className="card error" role="alert">
            <h2>The GPU engine failed to start</h2>
            <p>{error}</p>
          </section>
        ) : (
          <DemoPanel />
        )}
      </main>
    </div>
  );
}
