// The Interpret panel's CLI-bridge commands (spread into src/page/cli/bridge.ts): the same store
// actions the panel's buttons call, with typed arrays turned into plain JSON.
import { useStudio } from '../store/studio';
import { heatStats } from '../app/interpret/heat';

type Args = Record<string, unknown>;
const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
const num = (v: unknown) => (v === undefined ? undefined : Number(v));

export const interpretCommands: Record<string, (a: Args) => Promise<unknown>> = {
  // `interpret [--k 16] [--tta] [--ensemble]`: ClassificationInterpretation of the session's
  // model on the validation set; --tta adds learn.tta()'s metrics next to the plain ones,
  // --ensemble the snapshot ensemble's (and each snapshot's) next to the final weights'.
  async interpret(a) {
    const st = useStudio.getState;
    const r = await st().runInterpret({ k: num(a.k) });
    if (!r) throw new Error(st().interpretError ?? 'interpret failed');
    const on = (v: unknown) => v !== undefined && v !== false && v !== 'false';
    const tta = on(a.tta) ? await st().runTta() : undefined;
    if (on(a.tta) && !tta) throw new Error(st().ttaError ?? 'tta failed');
    const ensemble = on(a.ensemble) ? await st().runEnsemble() : undefined;
    if (on(a.ensemble) && !ensemble) throw new Error(st().ensembleError ?? 'ensemble failed');
    return { ...r, tta, ensemble };
  },
  // `gradcam (--index I | --path P) [--class C]`: the heat map and its mean/std.
  async gradcam(a) {
    const r = await useStudio.getState().loadGradcam({
      index: num(a.index),
      path: a.path === undefined ? undefined : String(a.path),
      classIndex: num(a.class),
    });
    if (!r) throw new Error(useStudio.getState().interpretError ?? 'gradcam failed');
    return {
      ...r,
      heatmap: Array.from(r.heatmap),
      image: { ...r.image, rgb: Array.from(r.image.rgb) },
      stats: heatStats(r.heatmap),
    };
  },
  // `predict-learner <image...> [--tta] [--ensemble]`: scripts/cli.ts passes `images: [{path, base64}]`.
  async 'predict-learner'(a) {
    const images = (a.images as { path: string; base64: string }[] | undefined) ?? [];
    if (!images.length) throw new Error('predict-learner: no images');
    const files = images.map((i) => ({ path: i.path, file: new Blob([bytesOf(i.base64)]) }));
    const out = await useStudio.getState().predictFiles(files, Boolean(a.tta), Boolean(a.ensemble));
    const err = useStudio.getState().predictError;
    if (err) throw new Error(err);
    return out.map(({ probs: _p, ...rest }) => rest);
  },
};
