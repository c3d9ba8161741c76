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
});
