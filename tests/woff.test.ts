import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { sfntToWoff } from '../scripts/pipeline/woff.ts';

const require = createRequire(import.meta.url);
// subset-font makes the subsets; the WOFF tool it uses (pako's deflate) is the independent reference.
const subsetFont = require('subset-font') as (font: Buffer, text: string, options: { targetFormat: string }) => Promise<Buffer>;
const reference = require('woff2sfnt-sfnt2woff') as { toWoff(sfnt: Buffer): Buffer; toSfnt(woff: Buffer): Buffer };

const FACES = {
  'a Latin serif': join(TOOL_ROOT, 'node_modules', '@expo-google-fonts', 'source-serif-4', '700Bold_Italic', 'SourceSerif4_700Bold_Italic.ttf'),
  'a Japanese serif (7.5 MB)': join(TOOL_ROOT, 'node_modules', '@expo-google-fonts', 'noto-serif-jp', '400Regular', 'NotoSerifJP_400Regular.ttf'),
};

describe('WOFF made with Node’s zlib (woff.ts)', () => {
  it.each(Object.entries(FACES))('wraps a subset of %s in a WOFF that unpacks to the very tables of the reference WOFF, within 2 % of its size', async (_, path) => {
    const sfnt = await subsetFont(readFileSync(path), 'U.S.-Japan Relations, 2009 — 日米関係の概要', { targetFormat: 'truetype' });
    const woff = sfntToWoff(sfnt);
    expect(woff.subarray(0, 4).toString('latin1')).toBe('wOFF');
    expect(woff.readUInt32BE(8)).toBe(woff.length);
    const theirs = reference.toWoff(sfnt);
    expect(reference.toSfnt(woff).equals(reference.toSfnt(theirs))).toBe(true);
    expect(Math.abs(woff.length - theirs.length)).toBeLessThan(theirs.length * 0.02);
  });

  it('refuses what is not a font, saying why', () => {
    expect(() => sfntToWoff(Buffer.from('not a font'))).toThrow('Not a font: shorter than an sfnt header.');
    const header = Buffer.alloc(12);
    header.writeUInt16BE(3, 4);
    expect(() => sfntToWoff(header)).toThrow('Not a font: its table directory is cut short.');
  });
});
