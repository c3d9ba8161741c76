// Webcam captures in a session archive: their bytes go in and come back, and a hostile archive
// (a foreign entry under captures/, an oversized one, too many) is refused naming the entry.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  MAX_CAPTURE_BYTES,
  packSession,
  readCaptures,
  SessionArchiveError,
  unpackSession,
} from '../../src/export/sessionArchive';
import { MAX_CAPTURES } from '../../src/shared/captures';
import { refused, sessionBytes, sessionParts } from './craft';

const jpeg = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);
const withCaptures = packSession({
  ...sessionParts(),
  captures: [
    { cls: 'x', id: 1, bytes: jpeg(100) },
    { cls: 'thumbs up', id: 7, bytes: jpeg(250) },
  ],
} as never);
const plus = (files: Record<string, Uint8Array>) =>
  zipSync({ ...unzipSync(sessionBytes()), ...files });

describe('captures in session archives', () => {
  it('come back with their class, id and bytes; the session reads as before', () => {
    const got = readCaptures(withCaptures, 'run.zip');
    expect(got.map((c) => [c.cls, c.id, c.bytes.length])).toEqual([
      ['x', 1, 100],
      ['thumbs up', 7, 250],
    ]);
    expect(got[1].bytes).toEqual(jpeg(250));
    const parts = unpackSession(withCaptures);
    expect(parts.classes).toEqual(['x', 'y']);
    expect(parts.manifest.entries).toContain('captures/thumbs up/webcam-7.jpg');
  });

  it('an archive without captures has none', () => {
    expect(readCaptures(sessionBytes())).toEqual([]);
  });

  it('a foreign entry under captures/ is refused by name', () => {
    const e = refused(
      () => readCaptures(plus({ 'captures/../evil/webcam-1.jpg': jpeg(3) }), 'run.zip'),
      /captures\/\.\.\/evil\/webcam-1\.jpg: not a webcam capture/,
    );
    expect(e).toBeInstanceOf(SessionArchiveError);
    expect(e.message).toMatch(/^run\.zip: /);
  });

  it('an oversized capture is refused before it is read', () => {
    const big = new Uint8Array(MAX_CAPTURE_BYTES + 1);
    refused(
      () => readCaptures(plus({ 'captures/x/webcam-1.jpg': big })),
      /webcam-1\.jpg' declares 8388609 bytes: over the 8 MiB cap/,
    );
  });

  it('more captures than the cap are refused', () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= MAX_CAPTURES; i++) many[`captures/x/webcam-${i}.jpg`] = strToU8('j');
    refused(() => readCaptures(plus(many)), /holds 5001 webcam captures: over the cap of 5000/);
  });

  it('not a zip: the same message as the session import', () => {
    refused(() => readCaptures(strToU8('hello'), 'run.zip'), /run\.zip: not a readable \.zip/);
  });
});
