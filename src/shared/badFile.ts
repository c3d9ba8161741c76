// One error type for every reader of user files (weight files, session archives, labels CSVs):
// its message names the file and the reason, so nothing like "RangeError: Offset is outside the
// bounds of the DataView" reaches the user. LIMITS are the caps the readers check BEFORE they
// allocate, so a hostile file cannot freeze the worker or make it allocate gigabytes: every
// loop is bounded by the file's size and every allocation by a cap, and the reading of one file
// by a time budget (ParseBudget; README "Limits on user files").

const MiB = 2 ** 20;

export const LIMITS = {
  /** A .pth, a .safetensors, a TF.js model's shards together, a session archive. */
  fileBytes: 1024 * MiB,
  /** A model.json, and each JSON entry of a session archive. */
  jsonBytes: 32 * MiB,
  /** Nesting of any JSON we read (a TF.js topology nests about 10 deep). */
  jsonDepth: 64,
  /** Values (items, keys) of the JSON in one file: a history of ~250k batches. */
  jsonValues: 2 ** 22,
  /** The inflated sizes of the compressed entries read from one zip, together. */
  inflatedBytes: 64 * MiB,
  zipEntries: 100_000,
  /** Tensors in one file. */
  tensors: 20_000,
  /** Values one file decodes to, as float32 (1 GiB). */
  elements: 2 ** 28,
  /** Dimensions of one tensor. */
  rank: 8,
  safetensorsHeaderBytes: 16 * MiB,
  /** A .pth's data.pkl. */
  pickleBytes: 16 * MiB,
  /** Stack depth, memo entries and containers (dicts, lists, tuples) of one pickle. */
  pickleValues: 2 ** 18,
  /** Parsing one file (the nested files of an archive included), in ms. */
  parseMs: 10_000,
};

export class BadFileError extends Error {
  constructor(
    readonly reason: string,
    readonly file = '',
    /** Set when a reader's own checks missed it and a raw error was wrapped: a reader bug. */
    readonly unexpected = false,
  ) {
    super(file ? `${file}: ${reason}` : reason);
  }
}

/**
 * The time budget of reading one file, passed down its readers: every loop over the file's
 * contents calls `tick()` (the clock is read every 4096 ticks, so a tick costs a counter) and
 * every step that does bounded work (an inflate chunk, a tensor) calls `check()`. The caps bound
 * each loop by the file's size; this bounds their sum in time. It also carries the count of JSON
 * values the file may still hold (shared by an archive's JSON entries).
 */
export class ParseBudget {
  private readonly end: number;
  private ticks = 0;
  jsonValues = LIMITS.jsonValues;
  constructor(
    readonly ms = LIMITS.parseMs,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.end = now() + ms;
  }
  tick() {
    if (++this.ticks % 4096 === 0) this.check();
  }
  check() {
    if (this.now() > this.end) refuse(`parsing took over ${this.ms / 1000} s: refused`);
  }
}

/** Throws the reason; the reader's `readingFile` adds the file name. */
export function refuse(reason: string): never {
  throw new BadFileError(reason);
}

/**
 * Runs a reader so that every failure comes out as one `Err` naming `file`: a nested reader's
 * file becomes part of the reason (`session.zip: model.safetensors: ...`).
 */
export function readingFile<T>(
  file: string,
  read: () => T,
  Err: new (reason: string, file: string, unexpected?: boolean) => BadFileError = BadFileError,
): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof BadFileError)
      throw new Err(e.file ? `${e.file}: ${e.reason}` : e.reason, file, e.unexpected);
    const raw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Err(`unreadable (${raw})`, file, true);
  }
}

export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A short, safe rendering of any parsed value for a message. */
export function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v && typeof v === 'object') return 'an object';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Validates a shape (a list of non-negative integers, rank <= LIMITS.rank) and returns its size. */
export function checkShape(shape: unknown, what: string): number {
  if (!Array.isArray(shape) || shape.length > LIMITS.rank)
    refuse(`${what} has shape ${describe(shape)}: not a list of at most ${LIMITS.rank} dimensions`);
  let n = 1;
  for (const d of shape) {
    if (!isCount(d))
      refuse(`${what} has dimension ${describe(d)} in [${shape.map(describe)}]: not a count`);
    n *= d;
  }
  if (n > LIMITS.elements)
    refuse(`${what} has ${n} values: over the cap of ${LIMITS.elements} per file`);
  return n;
}

/** Refuses NaN/Inf weights, naming the tensor: they would poison training silently. */
export function refuseNonFinite(key: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0)
      refuse(
        `tensor '${key}' has ${Number.isNaN(v) ? 'NaN' : 'an infinite value'} at index ${i}: ` +
          'refused (a diverged training run or a corrupt file)',
      );
  }
}

/**
 * UTF-8 JSON bytes -> value, with caps on size, nesting and values checked by a linear scan of
 * the bytes first (JSON.parse costs ~300 ns and ~50 bytes per value: 32 MiB of `[],` would take
 * seconds). `budget` is the file's: its time, and its JSON values shared by its JSON entries.
 */
export function parseJson(
  bytes: Uint8Array,
  what: string,
  maxDepth = LIMITS.jsonDepth,
  budget = new ParseBudget(),
): unknown {
  if (bytes.length > LIMITS.jsonBytes)
    refuse(`${what} is ${mib(bytes.length)}: over the ${mib(LIMITS.jsonBytes)} cap`);
  const tooMany = () =>
    refuse(`${what} holds over ${LIMITS.jsonValues} JSON values (with the file's other JSON)`);
  let depth = 0;
  for (let i = 0, inStr = false; i < bytes.length; i++) {
    budget.tick();
    const c = bytes[i];
    if (inStr) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) refuse(`${what} nests deeper than ${maxDepth} levels`);
      if (--budget.jsonValues < 0) tooMany();
    } else if (c === 93 || c === 125) depth--;
    else if ((c === 44 || c === 58) && --budget.jsonValues < 0) tooMany(); // a comma or colon: a value
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(`${what} is not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

export const mib = (bytes: number) => `${+(bytes / MiB).toFixed(1)} MiB`;
