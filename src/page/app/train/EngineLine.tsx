// One line in the Train panel: which engine runs each forward-only phase (webgpu, or tfjs's
// wasm engine where the GPU adapter is a CPU emulator), from the worker's `engine` events.
import { engineLine } from '../../../shared/engines';
import { useStudio } from '../../store/studio';

export function EngineLine() {
  const choices = useStudio((s) => s.engineChoices);
  if (!choices.length) return null;
  return (
    <p className="muted" data-testid="train-engines">
      Engines: {engineLine(choices)}
    </p>
  );
}
