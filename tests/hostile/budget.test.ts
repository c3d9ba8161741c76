// The time budget of parsing one file (LIMITS.parseMs): the readers' loops check a ParseBudget,
// so a file that would keep the worker busy is refused naming itself. A clock that runs 1 s per
// reading stands in for a slow file: the 10 s budget runs out on the 11th check. Each file is
// read once with that budget (refused) and once with a real one (read), so the budget, and not
// something else in the file, is what refuses it.
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';

import { unpackSession } from '../../src/export/sessionArchive';
import { storageRef, unpickle } from '../../src/models/weights/pickle';
import { readPth } from '../../src/models/weights/pth';
import { parseModelJson } from '../../src/models/weights/tfjsLayers';
import { openZip } from '../../src/models/weights/zip';
import { LIMITS, ParseBudget, parseJson } from '../../src/shared/badFile';
import { makePth, makeZip, refused, rng, sessionBytes, tfjsModel } from './craft';

/** A 10 s budget whose clock moves 1 s each time it is read. */
function slowBudget() {
  let t = 0;
  return new ParseBudget(LIMITS.parseMs, () => (t += 1000));
}
const OVER = /parsing took over 10 s: refused$/;

/** A pickle of a list of `n` Nones: 2n + 4 opcodes. */
const nones = (n: number) =>
  Uint8Array.from([
    0x80,
    2,
    0x5d,
    ...new Array<number>(n).fill(0).flatMap(() => [0x4e, 0x61]),
    0x2e,
  ]);

/** Bytes deflate cannot shrink: every 16 KiB of them is one inflate step. */
function noise(n: number) {
  const r = rng(7);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

describe('the parse time budget', () => {
  it('a clock read every 4096 ticks: 11 x 4096 ticks run out a 10 s budget of 1 s readings', () => {
    const b = slowBudget();
    for (let i = 0; i < 10 * 4096; i++) b.tick();
    expect(() => b.tick()).not.toThrow();
    refused(() => {
      for (let i = 0; i < 4096; i++) b.tick();
    }, OVER);
  });

  it('the pickle interpreter ticks per opcode', () => {
    const pkl = nones(30_000);
    expect(unpickle(pkl, storageRef)).toHaveLength(30_000);
    refused(() => unpickle(pkl, storageRef, slowBudget()), OVER);
    // Through the .pth reader the refusal names the file.
    const e = refused(() => readPth(makePth(pkl, {}), 'model.pth', slowBudget()), OVER);
    expect(e.message).toBe('model.pth: parsing took over 10 s: refused');
  });

  it("the zip reader's inflate loop checks per step", () => {
    const data = noise(250_000);
    const zip = makeZip([{ name: 'archive/data.pkl', data, deflate: true }]);
    expect(openZip(zip).read('archive/data.pkl')).toEqual(data);
    refused(() => openZip(zip, slowBudget()).read('archive/data.pkl'), OVER);
    // In a .pth, the budget runs out in the inflate, before the pickle is looked at.
    refused(() => readPth(zip, 'big.pth', slowBudget()), /^big\.pth: parsing took over 10 s/);
  });

  it('the JSON pre-scan ticks per byte', () => {
    const json = strToU8(`[${'0,'.repeat(30_000)}0]`);
    expect(parseJson(json, 'x.json')).toHaveLength(30_001);
    refused(() => parseJson(json, 'x.json', LIMITS.jsonDepth, slowBudget()), OVER);
    const model = tfjsModel([{ name: 'dense/kernel', shape: [2, 2] }]);
    const padded = strToU8(JSON.stringify(model) + ' '.repeat(60_000));
    expect(parseModelJson(padded).weightsManifest).toHaveLength(1);
    const e = refused(() => parseModelJson(padded, 'model.json', slowBudget()), OVER);
    expect(e.message).toBe('model.json: parsing took over 10 s: refused');
  });

  it("a session archive's entries share the archive's budget", () => {
    const good = sessionBytes();
    expect(unpackSession(good, 'run.zip').classes).toEqual(['x', 'y']);
    // The archive is small: its first check (a tensor of model.safetensors) sees a late clock.
    let t = 0;
    const late = new ParseBudget(LIMITS.parseMs, () => (t += 20_000));
    refused(() => unpackSession(good, 'run.zip', late), /^run\.zip: .*parsing took over 10 s/);
  });
});
