// The model commands of the CLI bridge (spread into src/page/cli/bridge.ts): the Model slice's
// actions, with weight files fetched by URL and the CLI's base64 images decoded into bytes.
import { cachedFetch } from '../../shared/cachedFetch';
import { useStudio } from '../store/studio';

type Args = Record<string, unknown>;

const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number');

/** `--input [...] --shape [n,h,w,3]` (JSON lists): RGB values in [0, 1] and their NHWC shape. */
export function pixelArgs(
  a: Args,
  command: string,
): { input: number[]; shape: [number, number, number, number] } {
  const { input, shape } = a;
  if (!isNumbers(input)) throw new Error(`${command}: --input must be a JSON list of numbers`);
  if (!isNumbers(shape) || shape.length !== 4)
    throw new Error(`${command}: --shape must be a JSON list [n, h, w, 3]`);
  const [n, h, w, c] = shape;
  return { input, shape: [n, h, w, c] };
}

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;

async function fetchFiles(urls: string[], cache = true) {
  return Promise.all(
    urls.map(async (url) => {
      // Same-origin files (tests, the studio's own) are not worth caching; hub downloads are.
      const sameOrigin = new URL(url, location.href).origin === location.origin;
      const r = sameOrigin || !cache ? await fetch(url) : await cachedFetch(url);
      if (!r.ok) throw new Error(`could not fetch ${url}: HTTP ${r.status}`);
      return { name: url.split('/').pop()!.split('?')[0], bytes: await r.arrayBuffer() };
    }),
  );
}

/** Files a user (or Playwright's setInputFiles) put into an <input type=file>, by CSS selector. */
export async function inputFiles(selector: string) {
  const input = document.querySelector<HTMLInputElement>(selector);
  if (!input?.files?.length) throw new Error(`no files in ${selector}`);
  return Promise.all(
    [...input.files].map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })),
  );
}

const model = () => useStudio.getState();

export const modelCommands: Record<string, (a: Args) => Promise<unknown>> = {
  'model-create': (a) =>
    model().createModel({
      arch: String(a.arch),
      nClasses: a.classes === undefined ? undefined : Number(a.classes),
      seed: a.seed === undefined ? undefined : Number(a.seed),
    }),
  /**
   * Weight files (safetensors, .pth, or model.json + shards): `input`, a file input's selector,
   * or `urls` the page can fetch (cross-origin ones are kept in Cache Storage unless `cache: false`).
   */
  async 'load-weights'(a) {
    const files = a.input
      ? await inputFiles(String(a.input))
      : await fetchFiles(a.urls as string[], a.cache !== false);
    return model().loadWeights(files, a.arch as string | undefined);
  },
  /** Parity diagnostics: run the models on stock tfjs-webgpu kernels (false) or the Studio's (true). */
  'studio-kernels': (a) => model().useStudioKernels(a.enabled !== false && a.enabled !== 'false'),
  'load-bundled': () => model().loadBundled(),
  forward: (a) => model().modelForward(pixelArgs(a, 'forward')),
  /**
   * `predict <image...> --arch resnet50-imagenet [--weights URL] [--top 5]`; scripts/cli.ts reads
   * the image files and passes `images: [{path, base64}]`.
   */
  async predict(a) {
    const arch = String(a.arch ?? 'resnet50-imagenet');
    if (a.weights) await model().loadWeights(await fetchFiles([String(a.weights)]), arch);
    else if (arch === 'resnet50-imagenet') await model().loadBundled();
    else
      throw new Error(`predict --arch ${arch} needs --weights (only resnet50-imagenet is bundled)`);
    const images = (a.images as { path: string; base64: string }[] | undefined) ?? [];
    if (!images.length) throw new Error('predict: no images');
    return (
      await model().predictImages({
        images: images.map((i) => ({ path: i.path, bytes: bytesOf(i.base64) })),
        top: Number(a.top ?? 5),
      })
    ).map(({ path, top, error }) => (error ? { path, top, error } : { path, top }));
  },
};
