// A predicted image's Grad-CAM: a button until the worker has computed it, then the overlay.
import type { PickedFile } from '../../walk';
import { gradcamKey } from '../../store/interpretSlice';
import { useStudio } from '../../store/studio';
import { HeatCanvas } from './HeatCanvas';

export function CamCell({ file }: { file: PickedFile }) {
  const g = useStudio((s) => s.gradcams[gradcamKey({ path: `new:${file.path}` })]);
  const load = useStudio((s) => s.loadGradcam);
  if (g) return <HeatCanvas image={g.image} heat={g.heatmap} size={64} />;
  return (
    <button
      className="small"
      data-testid="predict-gradcam"
      onClick={() =>
        void file.file.arrayBuffer().then((bytes) => load({ path: `new:${file.path}`, bytes }))
      }
    >
      Grad-CAM
    </button>
  );
}
