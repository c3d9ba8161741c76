import { describe, expect, it } from 'vitest';
import { siteUrl } from '../../src/shared/siteUrl';

const MODEL = 'models/resnet50-imagenet/model.json';

describe('siteUrl: site files from any sub-path', () => {
  it('resolves against the page folder with the relative base of the build', () => {
    expect(siteUrl(MODEL, 'https://h.io/some/sub/path/', false, './')).toBe(
      `https://h.io/some/sub/path/${MODEL}`,
    );
    expect(siteUrl(MODEL, 'https://h.io/some/sub/path/index.html?x=1', false, './')).toBe(
      `https://h.io/some/sub/path/${MODEL}`,
    );
  });
  it('steps out of assets/ from the built worker script', () => {
    expect(siteUrl(MODEL, 'https://h.io/some/sub/path/assets/worker-AbC.js', true, './')).toBe(
      `https://h.io/some/sub/path/${MODEL}`,
    );
  });
  it('uses the absolute base of the dev server from either thread', () => {
    expect(siteUrl(MODEL, 'http://127.0.0.1:5173/src/worker/worker.ts', true, '/')).toBe(
      `http://127.0.0.1:5173/${MODEL}`,
    );
    expect(siteUrl(MODEL, 'http://127.0.0.1:5173/', false, '/')).toBe(
      `http://127.0.0.1:5173/${MODEL}`,
    );
  });
});
