// The tiny template step between a shaders/*.wgsl file (imported with Vite's `?raw`) and the
// WGSL a program hands tfjs: `#if NAME` / `#if !NAME` / `#else` / `#endif` lines (nestable)
// keep or drop the lines between them by boolean flags, and `{{NAME}}` is replaced by a value
// (tile sizes, constants). Unknown flags or placeholders throw, so a typo cannot silently
// compile a different kernel.
export type TemplateFlags = Record<string, boolean>;
export type TemplateValues = Record<string, string | number>;

export function instantiateWgsl(
  src: string,
  flags: TemplateFlags,
  values: TemplateValues = {},
): string {
  const out: string[] = [];
  // One entry per open #if: whether its current branch is kept.
  const stack: { keep: boolean }[] = [];
  const keeping = () => stack.every((s) => s.keep);
  src.split('\n').forEach((line, n) => {
    const d = line.trim().match(/^#(if|else|endif)\b\s*(!?)(\w*)\s*$/);
    if (d) {
      const [, what, neg, name] = d;
      if (what === 'if') {
        if (!(name in flags))
          throw new Error(`WGSL template: unknown flag '${name}' (line ${n + 1})`);
        stack.push({ keep: flags[name] !== (neg === '!') });
      } else if (what === 'else') {
        const top = stack.at(-1);
        if (!top) throw new Error(`WGSL template: #else without #if (line ${n + 1})`);
        top.keep = !top.keep;
      } else if (!stack.pop()) throw new Error(`WGSL template: #endif without #if (line ${n + 1})`);
      return;
    }
    if (!keeping()) return;
    out.push(
      line.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
        if (!(name in values)) throw new Error(`WGSL template: no value for {{${name}}}`);
        return String(values[name]);
      }),
    );
  });
  if (stack.length) throw new Error('WGSL template: unclosed #if');
  return out.join('\n');
}
