// A seeded fuzz pass per format: a valid file, then 200 mutants (truncations, byte flips, random
// values written over header fields, numbers in JSON headers replaced). Each must end in a valid
// parse or one BadFileError from the readers' own checks (not a wrapped raw error), never another
// exception and never a hang.
import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { unpackSession } from '../../src/export/sessionArchive';
import { BadFileError } from '../../src/shared/badFile';
import { storageRef, unpickle } from '../../src/models/weights/pickle';
import { readPth } from '../../src/models/weights/pth';
import { readSafetensors, writeSafetensors } from '../../src/models/weights/safetensors';
import { parseModelJson, readTfjsLayers } from '../../src/models/weights/tfjsLayers';
import { f32bytes, rawSafetensors, rng, sessionBytes, tfjsModel } from './craft';

const MUTANTS = 200;
const EXTREMES = [0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000];
const NUMBERS = ['-1', '0', '1e309', '0.5', '"x"', 'null', '4294967296', '[]', '9007199254740993'];

/** One mutant of `bytes`; `text` marks a JSON-headed format, whose numbers get replaced too. */
function mutate(bytes: Uint8Array, r: () => number, text?: [number, number]): Uint8Array {
  const m = bytes.slice();
  const at = (n = m.length) => Math.floor(r() * n);
  switch (at(text ? 4 : 3)) {
    case 0: // truncation
      return m.subarray(0, at());
    case 1: // byte flips
      for (let i = 1 + at(8); i > 0; i--) m[at()] = at(256);
      return m;
    case 2: {
      // a random (often extreme) little-endian u32 over any field
      const p = at(Math.max(1, m.length - 4));
      const v = r() < 0.7 ? EXTREMES[at(EXTREMES.length)] : at(2 ** 32);
      new DataView(m.buffer).setUint32(p, v >>> 0, true);
      return m;
    }
    default: {
      // a number in the JSON header replaced by something else (the length prefix kept)
      const [from, to] = text!;
      const s = new TextDecoder().decode(m.subarray(from, to));
      const nums = [...s.matchAll(/-?\d+(\.\d+)?/g)];
      if (!nums.length) return m;
      const hit = nums[at(nums.length)];
      const rep = NUMBERS[at(NUMBERS.length)];
      const t = s.slice(0, hit.index) + rep + s.slice(hit.index! + hit[0].length);
      const h = new TextEncoder().encode(t);
      const out = new Uint8Array(m.length - (to - from) + h.length);
      out.set(m.subarray(0, from));
      out.set(h, from);
      out.set(m.subarray(to), from + h.length);
      if (from === 8) new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      return out;
    }
  }
}

function fuzz(
  seed: number,
  good: Uint8Array,
  read: (b: Uint8Array) => unknown,
  text?: [number, number],
) {
  expect(() => read(good)).not.toThrow();
  const r = rng(seed);
  const bad: string[] = [];
  let [ok, refused] = [0, 0];
  for (let i = 0; i < MUTANTS; i++) {
    const m = mutate(good, r, text);
    const t0 = performance.now();
    try {
      read(m);
      ok++;
    } catch (e) {
      if (e instanceof BadFileError && !e.unexpected) refused++;
      else
        bad.push(`mutant ${i}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : e}`);
    }
    const dt = performance.now() - t0;
    if (dt > 2000) bad.push(`mutant ${i}: took ${dt.toFixed(0)} ms`);
  }
  expect(bad).toEqual([]);
  expect(ok + refused).toBe(MUTANTS);
  expect(refused).toBeGreaterThan(MUTANTS / 4); // the mutations do reach the checks
}

/** Where a length-prefixed header lies (clamped to the buffer, whatever the prefix says). */
const headerOf = (b: Uint8Array): [number, number] => {
  if (b.length < 8) return [b.length, b.length];
  const n = new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
  return [8, 8 + Number(n > BigInt(b.length - 8) ? BigInt(b.length - 8) : n)];
};

describe('seeded fuzz: every mutant parses or is refused with the one error type', () => {
  const pth = new Uint8Array(readFileSync('tests/models/fixtures/tiny.pth'));

  it('pickle (tiny.pth data.pkl)', () => {
    fuzz(1, unzipSync(pth)['tiny/data.pkl'], (b) => unpickle(b, storageRef));
  });

  it('.pth (tiny.pth: zip, pickle, tensor views)', () => {
    fuzz(2, pth, (b) => readPth(b));
  });

  it('safetensors', () => {
    const sd = new Map([
      ['conv.weight', { shape: [2, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }],
      ['bn.bias', { shape: [2], data: Float32Array.from([0.5, -0.5]) }],
      ['empty', { shape: [0, 3], data: new Float32Array(0) }],
    ]);
    const st = writeSafetensors(sd, { arch: 'x' });
    fuzz(3, st, (b) => readSafetensors(b), headerOf(st));
  });

  it('TF.js layers (model.json + shard)', () => {
    const json = new TextEncoder().encode(
      JSON.stringify(
        tfjsModel([
          { name: 'd/kernel', shape: [2, 2] },
          { name: 'd/bias', shape: [2] },
        ]),
      ),
    );
    const shard = f32bytes([1, 2, 3, 4, 5, 6]);
    // model.json and the shard travel as one buffer so one mutation can hit either.
    const both = rawSafetensors(new TextDecoder().decode(json), shard);
    fuzz(
      4,
      both,
      (b) => {
        const [from, to] = headerOf(b);
        return readTfjsLayers(parseModelJson(b.subarray(from, to)), () => b.subarray(to));
      },
      headerOf(both),
    );
  });

  it('session archive (the zip)', () => {
    fuzz(5, sessionBytes(), (b) => unpackSession(b));
  });

  it('session archive (the values of settings.json)', () => {
    const files = unzipSync(sessionBytes());
    const settings = files['settings.json'];
    fuzz(6, settings, (b) => unpackSession(zipSync({ ...files, 'settings.json': b })), [
      0,
      settings.length,
    ]);
  });
});
