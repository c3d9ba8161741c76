// Validation on the engine chosen for it (engine/cpuEngine/choose.ts): where the GPU adapter is
// a CPU emulator, the epoch's weights are copied to the wasm engine and the Learner's own
// validation loop runs there. The Recorder, the metrics and every callback see the same events
// and the same numbers (to float precision) as on webgpu: only the engine differs.
import type { Batches } from './batches';
import { Callback } from './learner';
import { phaseBatches } from '../engine/cpuEngine/choose';

export class EngineValidation extends Callback {
  // Last in before_validate: the Learner calls `data.valid()` right after it.
  order = 90;
  private data?: Batches;

  before_validate() {
    const learn = this.learn;
    // The last training batch's shape: validation uses the same batch size and image size.
    const shape = learn.x?.shape;
    if (!shape) return;
    const data = (this.data = learn.data);
    const model = learn.model;
    learn.data = {
      ...data,
      // One-shot: the real Batches are back as soon as the validation loop has its batches.
      valid: (o) => {
        learn.data = data;
        return phaseBatches(
          { phase: 'validate', model, shape },
          () => data.valid(o),
          (m) => (learn.model = m),
        );
      },
    };
  }
  after_validate() {
    if (this.data) this.learn.data = this.data;
    this.data = undefined;
  }
}
