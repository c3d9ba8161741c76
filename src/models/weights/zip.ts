// A zip reader for user files (.pth checkpoints, session archives) that reads only the entries
// asked for. fflate's unzipSync inflates every entry into buffers sized by the archive's own
// headers (a 552-byte zip can declare 4 x 4 GiB); here the central directory is read first and
// checked against the file: entry ranges inside the file and not overlapping, stored entries
// as long as they declare, compressed ones under LIMITS before a byte is inflated, and inflated
// to exactly the declared size (the inflate stops as soon as it would exceed it), under the
// file's time budget.
// Format: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT (ZIP64 included: torch.save
// always writes its records).
import { Inflate } from 'fflate';

import { BadFileError, LIMITS, mib, ParseBudget, refuse } from '../../shared/badFile';

interface Entry {
  method: number;
  compSize: number;
  size: number;
  /** Where the entry's data starts in the file. */
  start: number;
}

export interface Zip {
  names: string[];
  has(name: string): boolean;
  /** The entry's bytes: a view for stored entries, inflated (and counted against LIMITS) otherwise. */
  read(name: string, maxBytes?: number): Uint8Array;
}

const SIG = {
  eocd: 0x06054b50,
  cen: 0x02014b50,
  loc: 0x04034b50,
  eocd64: 0x06064b50,
  loc64: 0x07064b50,
};
const MAX32 = 0xffffffff;
const INFLATE_STEP = 16384; // compressed bytes per push: one push inflates to at most ~16 MiB

export function openZip(bytes: Uint8Array, budget = new ParseBudget()): Zip {
  const n = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  const need = (p: number, len: number, what: string) => {
    if (p < 0 || p + len > n) refuse(`zip: ${what} runs past the end of the file`);
  };
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);
  const u64 = (p: number) => Number(dv.getBigUint64(p, true));

  // The end-of-central-directory record: in the last 22 + 65535 (comment) bytes.
  let e = n - 22;
  const stop = Math.max(0, n - 22 - 0xffff);
  while (e >= stop && u32(e) !== SIG.eocd) e--;
  if (e < stop) refuse('no end-of-central-directory record (not a zip, or truncated)');
  let count = u16(e + 10);
  let cdSize = u32(e + 12);
  let cdOff = u32(e + 16);
  if (count === 0xffff || cdSize === MAX32 || cdOff === MAX32) {
    if (e < 20 || u32(e - 20) !== SIG.loc64) refuse('zip: ZIP64 sizes without a ZIP64 locator');
    const z = u64(e - 12);
    need(z, 56, 'the ZIP64 end record');
    if (u32(z) !== SIG.eocd64) refuse('zip: the ZIP64 locator points at no ZIP64 end record');
    [count, cdSize, cdOff] = [u64(z + 32), u64(z + 40), u64(z + 48)];
  }
  if (count > LIMITS.zipEntries)
    refuse(`zip has ${count} entries: over the cap of ${LIMITS.zipEntries}`);
  if (cdOff + cdSize > e) refuse('zip: the central directory lies outside the file');

  const entries = new Map<string, Entry>();
  const ranges: [number, number, string][] = [];
  const names = new TextDecoder();
  for (let i = 0, p = cdOff; i < count; i++) {
    budget.tick();
    if (p + 46 > cdOff + cdSize || u32(p) !== SIG.cen)
      refuse(`zip: central directory entry ${i} is corrupt`);
    const [flags, method] = [u16(p + 8), u16(p + 10)];
    let [compSize, size, local] = [u32(p + 20), u32(p + 24), u32(p + 42)];
    const [nameLen, extraLen, commentLen] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdOff + cdSize) refuse(`zip: central directory entry ${i} runs past the directory`);
    const name = names.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field (id 1): 8-byte values for the fields saturated at 0xffffffff, in order.
    for (let x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; x += 4 + u16(x + 2)) {
      if (u16(x) !== 1) continue;
      let q = x + 4;
      const take = () => (need(q, 8, `the ZIP64 field of '${name}'`), (q += 8), u64(q - 8));
      if (size === MAX32) size = take();
      if (compSize === MAX32) compSize = take();
      if (local === MAX32) local = take();
    }
    if (flags & 1) refuse(`zip entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8)
      refuse(`zip entry '${name}' uses compression method ${method} (only stored and deflate)`);
    if (method === 0 && compSize !== size)
      refuse(`zip entry '${name}' is stored but declares ${size} bytes in ${compSize}`);
    if (entries.has(name)) refuse(`zip lists the entry '${name}' twice`);
    need(local, 30, `the local header of '${name}'`);
    if (u32(local) !== SIG.loc) refuse(`zip: the local header of '${name}' is missing`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + compSize > cdOff)
      refuse(
        `zip entry '${name}' (${compSize} bytes at ${start}) runs into the central directory or past the file`,
      );
    entries.set(name, { method, compSize, size, start });
    ranges.push([local, start + compSize, name]);
    p = next;
  }
  // Overlapping entries make one byte count several times (and let a small file declare a lot).
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i][0] < ranges[i - 1][1])
      refuse(`zip entries '${ranges[i - 1][2]}' and '${ranges[i][2]}' overlap`);

  let inflated = 0;
  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    read(name, maxBytes = Infinity) {
      const en = entries.get(name);
      if (!en) return refuse(`zip has no entry '${name}'`);
      if (en.size > maxBytes)
        refuse(
          `zip entry '${name}' declares ${en.size} bytes: over the ${mib(maxBytes)} cap for it`,
        );
      const raw = bytes.subarray(en.start, en.start + en.compSize);
      if (en.method === 0) return raw;
      if (inflated + en.size > LIMITS.inflatedBytes)
        refuse(
          `zip entry '${name}' declares ${en.size} bytes inflated: over the ${mib(LIMITS.inflatedBytes)} cap for compressed entries`,
        );
      inflated += en.size;
      return inflateExactly(raw, en.size, name, budget);
    },
  };
}

/** Inflates into a buffer of the declared size, stopping as soon as the data would exceed it. */
function inflateExactly(
  raw: Uint8Array,
  size: number,
  name: string,
  budget: ParseBudget,
): Uint8Array {
  const out = new Uint8Array(size);
  let got = 0;
  const inf = new Inflate((chunk) => {
    if (got + chunk.length > size)
      refuse(`zip entry '${name}' inflates to more than the ${size} bytes it declares`);
    out.set(chunk, got);
    got += chunk.length;
  });
  try {
    if (!raw.length) inf.push(raw, true);
    for (let p = 0; p < raw.length; p += INFLATE_STEP) {
      budget.check();
      inf.push(raw.subarray(p, p + INFLATE_STEP), p + INFLATE_STEP >= raw.length);
    }
  } catch (e) {
    if (e instanceof BadFileError) throw e;
    refuse(`zip entry '${name}' is not valid deflate data (${(e as Error).message})`);
  }
  if (got !== size)
    refuse(`zip entry '${name}' inflates to ${got} bytes, not the ${size} it declares`);
  return out;
}
