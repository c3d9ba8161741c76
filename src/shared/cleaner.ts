// fastai's ImageClassifierCleaner, without touching the files: the user's edits are an overlay
// (delete an item, or give it other labels) applied on top of whatever labeller made the
// labels, when the loaders are built. Deleted items leave their split; relabelled ones keep it.
// Pure: the worker holds the overlay with the dataset (src/data/importer.ts), the session
// archive stores it as cleaner.json (src/export/sessionArchive.ts).

export type CleanerEdit =
  { path: string; action: 'delete' } | { path: string; action: 'relabel'; labels: string[] };

/** The items left after the edits, relabelled ones with their new labels (input order kept). */
export function applyEdits<T extends { path: string; labels: string[] }>(
  items: readonly T[],
  edits: readonly CleanerEdit[],
): T[] {
  if (!edits.length) return [...items];
  const byPath = new Map(edits.map((e) => [e.path, e]));
  const out: T[] = [];
  for (const it of items) {
    const e = byPath.get(it.path);
    if (!e) out.push(it);
    else if (e.action === 'relabel') out.push({ ...it, labels: [...e.labels] });
  }
  return out;
}

/** `edits` then `next`: a later edit of the same path replaces the earlier one. */
export function mergeEdits(edits: readonly CleanerEdit[], next: readonly CleanerEdit[]) {
  const byPath = new Map(edits.map((e) => [e.path, e]));
  for (const e of next) byPath.set(e.path, e);
  return [...byPath.values()];
}

/** Why the edits do not fit the data (unknown path, class or action), or undefined. */
export function editsProblem(
  edits: readonly CleanerEdit[],
  classes: readonly string[],
  paths: ReadonlySet<string>,
  multiLabel: boolean,
): string | undefined {
  const known = new Set(classes);
  const seen = new Set<string>();
  for (const e of edits) {
    if (!paths.has(e.path)) return `no image '${e.path}' in the imported folder`;
    if (seen.has(e.path)) return `'${e.path}' is edited twice`;
    seen.add(e.path);
    if (e.action === 'delete') continue;
    // Typed, but may come from a file (cleaner.json) or the CLI.
    if ((e.action as string) !== 'relabel')
      return `'${e.path}': unknown action ${JSON.stringify(e.action as string)}`;
    const bad = e.labels.find((l) => !known.has(l));
    if (bad !== undefined) return `'${e.path}': '${bad}' is not a class (${classes.join(', ')})`;
    if (!multiLabel && e.labels.length !== 1)
      return `'${e.path}': a single-label dataset takes exactly one label (got ${e.labels.length})`;
  }
  return undefined;
}
