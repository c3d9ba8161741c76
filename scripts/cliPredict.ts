// `npm run cli -- predict <image...>`: the page cannot open local paths, so the CLI reads the
// files and passes their bytes (base64) with their paths.
import { existsSync, readFileSync, statSync } from 'node:fs';

export function readImages(paths: string[]): { path: string; base64: string }[] {
  if (!paths.length) throw new Error('predict: give one or more image files');
  return paths.map((path) => {
    if (!existsSync(path) || !statSync(path).isFile())
      throw new Error(`predict: '${path}' is not a file`);
    return { path, base64: readFileSync(path).toString('base64') };
  });
}
