import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../scripts/cliArgs';

describe('parseCliArgs', () => {
  it('separates positionals, valued flags, inline values and boolean flags', () => {
    const { positionals, values } = parseCliArgs([
      'import',
      'data/pets',
      '--valid-pct',
      '0.3',
      '--json',
      '--label-re=^(.+)_\\d+.jpg$',
      'more',
    ]);
    expect(positionals).toEqual(['import', 'data/pets', 'more']);
    expect(values).toEqual({ 'valid-pct': '0.3', json: true, 'label-re': '^(.+)_\\d+.jpg$' });
  });
  it('treats a trailing flag without a value as boolean', () => {
    expect(parseCliArgs(['info', '--verbose']).values).toEqual({ verbose: true });
  });
  it('lets a boolean flag take an explicit true/false, without eating other positionals', () => {
    expect(parseCliArgs(['train', 'd', '--pretrained', 'false', '--scratch']).values).toEqual({
      pretrained: false,
      scratch: true,
    });
    const { positionals, values } = parseCliArgs(['train', '--quiet', 'd', '--lr-find', 'true']);
    expect(positionals).toEqual(['train', 'd']);
    expect(values).toEqual({ quiet: true, 'lr-find': true });
  });
});
