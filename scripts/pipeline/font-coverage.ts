import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
  const key = createHash('sha256').update(`coverage\0${path}\0${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 32);
  const cached = cacheDir ? join(cacheDir, `${key}.cmap.json`) : undefined;
  if (cached) {
    const hit = await readFile(cached, 'utf8').then((text) => JSON.parse(text) as Stored).catch(() => undefined);
    if (hit && Array.isArray(hit.ranges)) return hit;
  }
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
  if (cached && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored));
    await rename(temp, cached);
  }
  return stored;
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
