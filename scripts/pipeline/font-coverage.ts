import { readFile, stat } from 'node:fs/promises';
import { fileIdentity, KeptOnDisk } from './kept-on-disk.ts';

/** What a font file offers: the characters it has glyphs for, and its PostScript name (as PDFs name it). */
export interface FontCoverage {
  postscriptName: string;
  /** Whether the font has a glyph for this code point. */
  has(codePoint: number): boolean;
}

interface Stored {
  name: string;
  /** Sorted, disjoint runs of code points: start, end (inclusive), start, end… */
  ranges: number[];
}

const coverages = new Map<string, Promise<FontCoverage>>();

/**
 * A font file's character map and name, read with HarfBuzz once per file: remembered for the
 * process and kept on disk in `cacheDir` (a CJK font's map takes HarfBuzz ~15 ms; the cached
 * runs, under 1 ms).
 */
export function fontCoverage(path: string, cacheDir?: string): Promise<FontCoverage> {
  let coverage = coverages.get(path);
  if (!coverage) {
    coverage = readCoverage(path, cacheDir).then(toCoverage);
    coverages.set(path, coverage);
    coverage.catch(() => coverages.delete(path));
  }
  return coverage;
}

async function readCoverage(path: string, cacheDir: string | undefined): Promise<Stored> {
  const info = await stat(path);
  const key = `coverage\0${fileIdentity(path, info)}`;
  const kept = cacheDir ? new KeptOnDisk(cacheDir, { suffix: '.cmap.json', limit: MAPS_KEPT }) : undefined;
  const hit = readStored(kept?.read(key));
  if (hit) return hit;
  const [{ Blob, Face }, read] = await Promise.all([import('harfbuzzjs'), readFile(path)]);
  // HarfBuzz reads TrueType and OpenType only: a WOFF or WOFF2 file (fontsource's) is unpacked first.
  const bytes = /\.woff2?$/i.test(path) ? await (await import('fontverter')).convert(read, 'sfnt') : read;
  const face = new Face(new Blob(bytes));
  const codePoints = [...face.collectUnicodes()].sort((a, b) => a - b);
  const ranges: number[] = [];
  for (const codePoint of codePoints) {
    if (ranges.length > 0 && ranges[ranges.length - 1] === codePoint - 1) ranges[ranges.length - 1] = codePoint;
    else ranges.push(codePoint, codePoint);
  }
  const stored: Stored = { name: face.getName(6, 'en') || '', ranges };
  kept?.write(key, JSON.stringify(stored));
  return stored;
}

/** Character maps kept on disk: one per font file a template or brand names. */
const MAPS_KEPT = 256;

/** A kept character map, or undefined if there is none or it is damaged. */
function readStored(kept: Buffer | undefined): Stored | undefined {
  if (!kept) return undefined;
  try {
    const stored = JSON.parse(kept.toString('utf8')) as Stored;
    return Array.isArray(stored.ranges) && typeof stored.name === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

function toCoverage(stored: Stored): FontCoverage {
  const ranges = Uint32Array.from(stored.ranges);
  const runs = ranges.length / 2;
  return {
    postscriptName: stored.name,
    has(codePoint: number): boolean {
      // The last run starting at or before the code point.
      let low = 0;
      let high = runs - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (ranges[middle * 2]! <= codePoint) low = middle + 1;
        else high = middle - 1;
      }
      return high >= 0 && codePoint <= ranges[high * 2 + 1]!;
    },
  };
}
