// The data part of the reproduction script: fastai's DataBlock for the labelling and split the
// studio's import used, items sorted (os.walk's order is not stable, and RandomSplitter draws
// from the order), the files the studio left out left out, and a check that prints what fastai
// read: classes, split sizes and the first validation batch's labels.
import type { ReproSettings } from '../shared/protocol';

export const py = (v: string) => JSON.stringify(v); // a JSON string is a valid Python string literal
export const num = (v: number) =>
  Number.isInteger(v) ? String(v) : v.toExponential().replace('e+', 'e');

const pyValue = (v: number | boolean) =>
  typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);

function itemTfms(s: ReproSettings): string {
  if (s.resize === 'random_resized_crop')
    return `RandomResizedCrop(size, min_scale=${s.minScale ?? 0.08})`;
  const method = { squish: 'Squish', crop: 'Crop', pad: 'Pad' }[s.resize];
  // Pad: reflection borders, fastai's default pad_mode, as the studio pads.
  return `Resize(size, method=ResizeMethod.${method})`;
}

function batchTfms(s: ReproSettings): string {
  if (s.aug === 'none') return '[Normalize.from_stats(*imagenet_stats)]';
  const args = Object.entries(s.augSettings ?? { do_flip: true, flip_vert: s.aug === 'top-down' })
    .map(([k, v]) => `${k}=${pyValue(v)}`)
    .join(', ');
  return `[*aug_transforms(${args}), Normalize.from_stats(*imagenet_stats)]`;
}

/** Python's regex spelling of a pattern typed with JavaScript's named groups `(?<name>`. */
const pythonRegex = (p: string) => p.replace(/\(\?<(?![=!])/g, '(?P<');

function getItems(s: ReproSettings): string[] {
  const sp = s.split;
  const from = sp.kind === 'random' && sp.under ? `p/${py(sp.under)}` : 'p';
  const keep = [
    'o.relative_to(p).as_posix() not in EXCLUDE',
    ...(sp.kind === 'random' && sp.notUnder
      ? [`o.relative_to(p).parts[0] != ${py(sp.notUnder)}`]
      : []),
  ];
  return [
    `EXCLUDE = set(${JSON.stringify(s.exclude)})  # image files the studio left out (unreadable, unlabelled)`,
    '',
    '',
    'def get_items(p):',
    "    # Sorted: the same items, split and order on every machine (os.walk's order is not).",
    `    return sorted(o for o in get_image_files(${from}) if ${keep.join(' and ')})`,
  ];
}

/** The studio's CSV lookup: a row names the image whose path below the folder ends with it,
 * else the one image with that name (src/shared/labelers.ts csvLabeller). */
const CSV_ITEMS = [
  '',
  '',
  'def csv_items(p):',
  '    """(file, labels) rows for the images the CSV labels, matched the way the studio matches them."""',
  '    with open(CSV, newline="", encoding="utf-8-sig") as f:',
  '        table = [r for r in csv.reader(f) if r][1:]  # a header row first',
  '    norm = lambda f: f.strip().replace("\\\\", "/").removeprefix("./").lstrip("/")',
  '    rows = {norm(r[0]): r[1] if len(r) > 1 else "" for r in table}',
  '    names = {}',
  '    for f, y in rows.items():',
  '        n = f.split("/")[-1]',
  '        names[n] = None if n in names else y',
  '    out = []',
  '    for o in get_items(p):',
  '        parts = o.relative_to(p).parts',
  '        keys = ("/".join(parts[i:]) for i in range(len(parts)))',
  '        y = next((rows[k] for k in keys if k in rows), names.get(o.name))',
  '        if y is not None:',
  '            out.append((o.relative_to(p).as_posix(), y))',
  '    return out',
];

/** Images named by file name or CSV sit right in the split folders (no class folder between):
 * the split is the first split folder on the path, as the studio reads it. */
const FOLDER_SPLITTER = [
  '',
  '',
  'def folder_splitter(train_name, valid_name):',
  '    def _inner(items):',
  '        dirs = [(Path(o[0]) if isinstance(o, tuple) else o.relative_to(path)).parts[:-1] for o in items]',
  '        where = [next((d for d in ds if d in (train_name, valid_name)), None) for ds in dirs]',
  '        return [i for i, w in enumerate(where) if w == train_name], [i for i, w in enumerate(where) if w == valid_name]',
  '',
  '    return _inner',
];

function splitter(s: ReproSettings): string {
  const sp = s.split;
  if (sp.kind === 'random') return `RandomSplitter(valid_pct=${sp.validPct}, seed=${sp.seed})`;
  const names = `train_name=${py(sp.train)}, valid_name=${py(sp.valid)}`;
  return s.labelling.kind === 'folder'
    ? `GrandparentSplitter(${names})`
    : `folder_splitter(${names})`;
}

/** `make_dls(size)`, the helpers it needs, and `check(dls)`. */
export function dataPart(s: ReproSettings): string[] {
  const l = s.labelling;
  const csv = l.kind === 'csv';
  const block = csv && l.multiLabel ? 'MultiCategoryBlock' : 'CategoryBlock';
  const getY =
    l.kind === 'regex'
      ? [`        get_y=using_attr(RegexLabeller(${py(pythonRegex(l.pattern))}), "name"),`]
      : l.kind === 'csv'
        ? [
            `        get_x=ColReader(0, pref=f"{path}{os.path.sep}"),`,
            `        get_y=ColReader(1${l.multiLabel ? `, label_delim=${py(l.labelDelim)}` : ''}),`,
          ]
        : ['        get_y=parent_label,'];
  return [
    ...(csv
      ? [
          `CSV = path / ${py(l.csvPath)}  # columns ${py(l.fileColumn)}: the image, ${py(l.labelColumn)}: its labels`,
        ]
      : []),
    ...getItems(s),
    ...(csv ? CSV_ITEMS : []),
    ...(s.split.kind === 'folders' && l.kind !== 'folder' ? FOLDER_SPLITTER : []),
    '',
    '',
    'def make_dls(size):',
    '    dblock = DataBlock(',
    // The studio's class order (natural: "2" before "10"), which the exported head's outputs follow.
    `        blocks=(ImageBlock, ${block}(vocab=STUDIO["classes"])),`,
    ...(csv ? [] : ['        get_items=get_items,']),
    ...getY,
    // NOTE: torch's RNG picks other images than the studio's seeded shuffle (same sizes).
    `        splitter=${splitter(s)},${s.split.kind === 'random' ? "  # the studio's sizes; torch's RNG picks other images" : ''}`,
    `        item_tfms=${itemTfms(s)},`,
    `        batch_tfms=${batchTfms(s)})`,
    `    return dblock.dataloaders(${csv ? 'csv_items(path)' : 'path'}, bs=BS)`,
    '',
    '',
    'def check(dls):',
    '    """What fastai read, against what the studio read: classes, split sizes, first valid batch."""',
    '    names = lambda y: [str(dls.vocab[i]) for i in torch.where(y > 0)[0]] if y.ndim else str(dls.vocab[int(y)])',
    '    first = [names(y) for y in dls.valid.one_batch()[1]] if len(dls.valid_ds) else []',
    '    seen = {"classes": [str(c) for c in dls.vocab], "train": len(dls.train_ds), "valid": len(dls.valid_ds)}',
    '    print("data:", json.dumps({**seen, "valid_batch": first}))',
    '    assert seen["classes"] == STUDIO["classes"], f"classes differ from the studio run: {seen[\'classes\']}"',
    '    if (seen["train"], seen["valid"]) != (STUDIO["train"], STUDIO["valid"]):',
    "        print(f\"note: the studio had {STUDIO['train']} training and {STUDIO['valid']} validation images\")",
  ];
}
