// One line in the Train panel: which engine runs each forward-only phase (webgpu, or tfjs's
// wasm engine where the GPU adapter is a CPU emulator), from the worker's `engine` events.
// Kept outside the panel's state: panels unmount when another tab is shown.
import { useSyncExternalStore } from 'react';
import { engineLine, type EngineChoice } from '../../../shared/engines';
import { worker } from '../../store/studio';

const byPhase = new Map<string, EngineChoice>();
const subscribers = new Set<() => void>();
let snapshot: EngineChoice[] = [];
let listening = false;

function subscribe(onChange: () => void) {
  if (!listening) {
    listening = true;
    worker().onEvent((e) => {
      if (e.type !== 'engine') return;
      const { phase, engine, reason, ms } = e;
      byPhase.set(phase, { phase, engine, reason, ms });
      snapshot = [...byPhase.values()];
      subscribers.forEach((f) => f());
    });
  }
  subscribers.add(onChange);
  return () => void subscribers.delete(onChange);
}

export function EngineLine() {
  const choices = useSyncExternalStore(subscribe, () => snapshot);
  if (!choices.length) return null;
  return (
    <p className="muted" data-testid="train-engines">
      Engines: {engineLine(choices)}
    </p>
  );
}
