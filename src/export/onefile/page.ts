// The one-file page's script (bundled into the .html by scripts/onefileRuntime.ts): reads the
// model and weights the export embedded, then classifies dropped images and webcam frames with
// the studio's own decode (data/decode.ts) and item transform (data/itemTransforms.ts), so its
// probabilities are the studio's `predict`. TTA: fastai's tta(n=4, beta=0.25) over the item
// transform's random crop and a flip (the full aug_transforms warp is not in the page).
import { decodeToCache } from '../../data/decode';
import { applyItemTfm } from '../../data/itemTransforms';
import { seededRandom } from '../../shared/random';
import { ttaBlend } from '../../shared/ttaBlend';
import type { PageModel } from './onefile';
import { decodeWeights } from './pack';
import { predictProbs, unpackWeights } from './runtime';

const text = (id: string) => document.getElementById(id)!.textContent!;
const model = JSON.parse(text('onefile-model')) as PageModel;
const members = Array.from({ length: model.members }, (_, i) =>
  unpackWeights(model.graph, decodeWeights(text(`onefile-w${i}`).trim(), model.f16)),
);
const rand = seededRandom(1);

export interface PageResult {
  name: string;
  probs: number[];
  top: { label: string; prob: number }[];
  error?: string;
}

function pass(img: Parameters<typeof applyItemTfm>[0], augment: boolean): Float32Array {
  const s = model.size;
  const px = new Float32Array(s * s * 3);
  applyItemTfm(img, model.itemTfm, augment, rand, px);
  if (augment && model.aug !== 'none' && rand() < 0.5)
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s / 2; x++)
        for (let c = 0; c < 3; c++) {
          const [a, b] = [(y * s + x) * 3 + c, (y * s + s - 1 - x) * 3 + c];
          [px[a], px[b]] = [px[b], px[a]];
        }
  return predictProbs(model.graph, members, px, model);
}

/** Top-3 probabilities of one image (file or webcam frame as a Blob). */
async function classify(file: Blob, name: string, tta: boolean): Promise<PageResult> {
  const img = await decodeToCache(file, model.source.side, model.source.of);
  if ('error' in img) return { name, probs: [], top: [], error: `${name}: ${img.error}` };
  let probs = pass(img, false);
  if (tta)
    probs = ttaBlend(
      [1, 2, 3, 4].map(() => pass(img, true)),
      probs,
    );
  const top = Array.from(probs, (prob, i) => ({ label: model.classes[i], prob, i }))
    .sort((a, b) => b.prob - a.prob || a.i - b.i)
    .slice(0, 3)
    .map(({ label, prob }) => ({ label, prob }));
  return { name, probs: Array.from(probs), top };
}

// ************* the page *************

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...kids: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

document.head.append(
  el('style', {
    textContent: `body{font:15px system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
.drop{display:block;border:2px dashed #888;border-radius:8px;padding:2rem;text-align:center;cursor:pointer}
.drop.over{background:#eef}li{margin:.5rem 0;list-style:none;display:flex;gap:1rem;align-items:center}
img,video{max-width:96px;max-height:96px;border-radius:4px}.err{color:#b00}video{max-width:320px;max-height:240px}
meter{width:8rem}`,
  }),
);
const results = el('ul', { id: 'results' });
const tta = el('input', { type: 'checkbox', id: 'tta' });
const files = el('input', {
  type: 'file',
  multiple: true,
  accept: 'image/*',
  id: 'files',
  hidden: true,
});
const drop = el(
  'label',
  { className: 'drop', htmlFor: 'files' },
  'Drop images here, or click to pick them',
);
const video = el('video', { autoplay: true, muted: true, playsInline: true, hidden: true });
const camButton = el('button', { id: 'webcam' }, 'Start webcam');
const snap = el('button', { id: 'snap', disabled: true }, 'Classify frame');
const status = el('p', { id: 'status' }, 'Ready.');

function show(r: PageResult, thumb: Blob) {
  const li = el(
    'li',
    { className: r.error ? 'err' : '' },
    el('img', { src: URL.createObjectURL(thumb), alt: r.name }),
  );
  li.dataset.name = r.name;
  li.dataset.top = JSON.stringify(r.top);
  li.dataset.probs = JSON.stringify(r.probs);
  const lines = r.top.flatMap((t): (Node | string)[] => [
    el('br'),
    `${t.label} `,
    el('meter', { value: t.prob }),
    ` ${(100 * t.prob).toFixed(1)}%`,
  ]);
  li.append(r.error ?? el('div', {}, el('b', {}, r.name), ...lines));
  results.prepend(li);
}

async function run(blobs: { blob: Blob; name: string }[]) {
  status.textContent = `Classifying ${blobs.length} image(s)…`;
  // Let the status paint: the forward pass below holds the main thread.
  await new Promise((r) => setTimeout(r, 0));
  for (const { blob, name } of blobs) show(await classify(blob, name, tta.checked), blob);
  status.textContent = `Done: ${blobs.length} image(s)${tta.checked ? ' with TTA' : ''}.`;
  document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + blobs.length);
}

files.onchange = () => void run([...(files.files ?? [])].map((f) => ({ blob: f, name: f.name })));
drop.ondragover = (e) => (e.preventDefault(), drop.classList.add('over'));
drop.ondragleave = () => drop.classList.remove('over');
drop.ondrop = (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  void run([...(e.dataTransfer?.files ?? [])].map((f) => ({ blob: f, name: f.name })));
};
camButton.onclick = async () => {
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
    video.hidden = false;
    snap.disabled = false;
  } catch (e) {
    status.textContent = `No webcam: ${(e as Error).message}`;
  }
};
let frames = 0;
snap.onclick = () => {
  const c = el('canvas', { width: video.videoWidth, height: video.videoHeight });
  c.getContext('2d')!.drawImage(video, 0, 0);
  // PNG: lossless, so the frame is classified as captured.
  c.toBlob((b) => b && void run([{ blob: b, name: `webcam frame ${++frames}` }]), 'image/png');
};

document.body.append(
  el('h1', {}, document.title),
  el(
    'p',
    {},
    `Classes: ${model.classes.join(', ')}. ${model.members > 1 ? `An ensemble of ${model.members} models. ` : ''}Runs in this page only: nothing is sent anywhere.`,
  ),
  drop,
  files,
  el(
    'p',
    {},
    el('label', {}, tta, ' Test-time augmentation (fastai tta)'),
    ' ',
    camButton,
    ' ',
    snap,
  ),
  video,
  status,
  results,
);
Object.assign(window, { onefile: { model, classify } });
