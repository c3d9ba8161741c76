// The `page` export: ONE .html file that classifies images offline. It holds the model's graph
// (graph.ts), its weight sets (1 or more: an ensemble averages their probabilities) as base64 in
// <script type="text/plain">, what preprocessing the learner used, and the page runtime (page.ts,
// bundled at build time by scripts/onefileRuntime.ts). Its CSP forbids every fetch.
import type { SourceTarget } from '../../data/sourceSize';
import type { InputSpec } from '../../data/normalize';
import type { StateDict } from '../../models/weights/tensors';
import type { AugPreset, ItemTfm } from '../../shared/protocol';
import { buildGraph, type Graph } from './graph';
import { encodeWeights } from './pack';

/** One model's weights (a snapshot of an ensemble), PyTorch keys, studio layouts. */
export type WeightSet = StateDict;

export interface PageMeta {
  arch: string;
  classes: string[];
  multiLabel: boolean;
  size: number;
  input: InputSpec;
  /** The learner's item transform (validation mode) and the pixels it reads. */
  itemTfm: ItemTfm;
  source: SourceTarget;
  /** The learner's augmentation preset: TTA flips unless it is 'none'. */
  aug: AugPreset;
  /** The body's BatchNorm eps (Keras ResNet50: 1e-3). */
  bnEps: number;
}

/** What page.ts reads from <script id="onefile-model">. */
export interface PageModel extends Omit<PageMeta, 'bnEps'> {
  graph: Graph;
  f16: boolean;
  members: number;
}

// A page that can reach nothing: no connect-src, no remote script, style, image or media.
const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  'img-src blob: data:',
  'media-src blob: mediastream:',
].join('; ');

/** Text safe inside a <script> element. */
const scriptText = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The page's HTML; `runtime`: page.ts bundled as an IIFE. */
export function onefilePage(
  weights: WeightSet[],
  meta: PageMeta,
  runtime: string,
  o: { f16?: boolean } = {},
): string {
  if (!weights.length) throw new Error('one-file page: no weight set to export');
  const built = weights.map((w) => buildGraph(w, meta.bnEps));
  const graph = built[0].graph;
  built.forEach((b, i) => {
    if (JSON.stringify(b.graph) !== JSON.stringify(graph))
      throw new Error(`one-file page: weight set ${i + 1} is not the same architecture as set 1`);
  });
  const { bnEps: _e, ...rest } = meta;
  const model: PageModel = { ...rest, graph, f16: !!o.f16, members: weights.length };
  const sets = built.map(
    (b, i) =>
      `<script type="text/plain" id="onefile-w${i}">${encodeWeights(
        [...b.weights.values()].map((t) => t.data),
        !!o.f16,
      )}</script>`,
  );
  const ens = weights.length > 1 ? `, ensemble of ${weights.length}` : '';
  const title = escapeHtml(`${meta.arch}: ${meta.classes.length} classes${ens}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body>
<script type="application/json" id="onefile-model">${scriptText(JSON.stringify(model))}</script>
${sets.join('\n')}
<script>${scriptText(runtime)}</script>
</body></html>
`;
}
