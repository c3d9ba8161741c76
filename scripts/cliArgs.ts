export const BOOLEAN_FLAGS = new Set([
  'json',
  'help',
  'quick',
  'lr-find',
  'stratify',
  'pretrained',
  'precompute',
  'scratch',
  'quiet',
  'save-best',
  'tta',
  'ensemble',
  'label-smoothing',
  'f16',
]);

/** `--key value`, `--key=value`, and the boolean flags above (which may take an explicit
 * `true`/`false`: `--pretrained false`); everything else is positional. */
export function parseCliArgs(argv: string[]) {
  const positionals: string[] = [];
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (inline !== undefined) values[key] = inline;
    else if (BOOLEAN_FLAGS.has(key) && /^(true|false)$/.test(argv[i + 1] ?? ''))
      values[key] = argv[++i] === 'true';
    // A flag followed by another flag is boolean too (`--stock-kernels --export DIR`).
    else if (BOOLEAN_FLAGS.has(key) || i + 1 >= argv.length || argv[i + 1].startsWith('--'))
      values[key] = true;
    else values[key] = argv[++i];
  }
  return { positionals, values };
}
