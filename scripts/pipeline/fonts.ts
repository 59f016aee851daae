import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileIdentity, KeptOnDisk } from './kept-on-disk.ts';
import { Remembered } from './remembered.ts';
import { sfntToWoff } from './woff.ts';

/** A font family as a template's fonts.yaml declares it. */
export interface FontFamily {
  /** The name the template's CSS uses in font-family. */
  family: string;
  /** The npm package that ships the font files: any package, or a fontsource one (`@fontsource/<name>`). */
  package: string;
  /** `cjk`: only Chinese/Japanese/Korean characters are drawn with it (Latin text keeps the Latin face). */
  script?: 'latin' | 'cjk';
  /** `code`: embedded only when the brief has code, kbd or samp. */
  only_for?: 'code';
  /**
   * The faces and their files inside the package (TTF, OTF, WOFF or WOFF2). For a fontsource
   * package `file` may be left out: its Latin file is taken, files/<name>-latin-<weight>-<style>.woff.
   */
  faces: { weight: number; style: 'normal' | 'italic'; file?: string }[];
}

/** One face with its file resolved on disk. */
export interface ResolvedFace {
  family: string;
  weight: number;
  style: 'normal' | 'italic';
  script: 'latin' | 'cjk';
  onlyFor: 'code' | undefined;
  path: string;
}

/** Resolves every face's file inside its npm package, from the node_modules under `root`. */
export function resolveFaces(families: FontFamily[], root: string): ResolvedFace[] {
  const require = createRequire(join(root, 'package.json'));
  return families.flatMap((family) => {
    const packageDir = dirname(require.resolve(`${family.package}/package.json`));
    return family.faces.map((face) => ({
      family: family.family,
      weight: face.weight,
      style: face.style,
      script: family.script ?? 'latin',
      onlyFor: family.only_for,
      path: join(packageDir, face.file ?? fontsourceFile(family.package, face.weight, face.style)),
    }));
  });
}

/** A fontsource package's Latin file of a face: @fontsource/ibm-plex-sans → files/ibm-plex-sans-latin-400-normal.woff. */
function fontsourceFile(packageName: string, weight: number, style: string): string {
  const match = /^@fontsource(?:-variable)?\/(.+)$/.exec(packageName);
  if (!match) throw new Error(`fonts.yaml: a face of "${packageName}" has no file; only fontsource packages (@fontsource/…) can leave it out.`);
  return join('files', `${match[1]}-latin-${weight}-${style}.woff`);
}

/** Every Latin face can draw these, whatever the text: digits for page numbers, hyphens for hyphenation. */
const ALWAYS = ' 0123456789-\u2010';

/** Printable ASCII, Latin-1 and the usual typographic punctuation: what print subsets always hold. */
const STANDARD_LATIN = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, index) => String.fromCharCode(0x20 + index)),
  ...Array.from({ length: 0x100 - 0xa0 }, (_, index) => String.fromCharCode(0xa0 + index)),
  ...'‐‑‒–—―‘’‚“”„†‡•…‰′″‹›€™−',
].join('');

const fontBytes = new Map<string, Promise<Buffer>>();
const subsets = new Remembered<string, Promise<string>>(64);

/**
 * @font-face rules embedding each face as a WOFF subset that holds the glyphs it draws in this
 * brief (from font-usage.ts), so a handout carries no unused glyphs and a printed PDF embeds real
 * (not Type 3) fonts. A face that draws nothing is left out. Subsets are cached in memory for the
 * life of the process (watch mode, batches) and on disk between runs.
 */
export async function fontFaceCss(usage: Map<ResolvedFace, Set<string>>, cacheDir?: string, options: { stableLatin?: boolean } = {}): Promise<string> {
  const rules = await Promise.all(
    [...usage].map(([face, used]) => {
      const latin = face.script === 'latin';
      // For printing, Latin faces are cut to a fixed repertoire (plus anything beyond it), so that
      // briefs of one template share one set of fonts and Chrome can keep them loaded from one
      // brief to the next. The PDF embeds only the glyphs used anyway.
      if (used.size === 0 && !(options.stableLatin && latin)) return '';
      const chars = [...new Set([...used, ...(latin ? ALWAYS : ''), ...(latin && options.stableLatin ? STANDARD_LATIN : '')])].sort().join('');
      const key = `${face.path}\0${createHash('sha1').update(chars).digest('hex')}`;
      // Kept for the briefs that follow (a batch, watch mode); a failed cut is tried again.
      return subsets.of(key, () => {
        const rule = subsetRule(face, chars, cacheDir);
        rule.catch(() => subsets.delete(key));
        return rule;
      });
    }),
  );
  return rules.filter(Boolean).join('\n');
}

async function subsetRule(face: ResolvedFace, chars: string, cacheDir: string | undefined): Promise<string> {
  const subset = await cachedSubset(face, chars, cacheDir);
  return `@font-face{font-family:"${face.family}";font-style:${face.style};font-weight:${face.weight};font-display:block;src:url(data:font/woff;base64,${subset.toString('base64')}) format("woff")}`;
}

/**
 * A WOFF subset of a face, from the disk cache when this face was already cut to these characters
 * (most edits add no new character, and most briefs share their alphabet), else made with
 * harfbuzz's hb-subset, wrapped in WOFF by woff.ts. WOFF (zlib) rather than WOFF2: ten times
 * faster to make, a fifth larger.
 */
async function cachedSubset(face: ResolvedFace, chars: string, cacheDir: string | undefined): Promise<Buffer> {
  const info = await stat(face.path);
  // "woff-zlib": compressed by woff.ts (Node's zlib), so a subset kept by an older brief (pako's bytes) is not taken for one of this version's.
  const key = `woff-zlib\0${fileIdentity(face.path, info)}\0${chars}`;
  const kept = cacheDir ? new KeptOnDisk(cacheDir, { suffix: '.woff', limit: SUBSETS_KEPT }) : undefined;
  const hit = kept?.read(key);
  if (hit) return hit;
  let bytes = fontBytes.get(face.path);
  if (!bytes) {
    bytes = readFile(face.path);
    fontBytes.set(face.path, bytes);
  }
  const { default: subsetFont } = await import('subset-font');
  const subset = sfntToWoff(await subsetFont(await bytes, chars, { targetFormat: 'truetype' }));
  kept?.write(key, subset);
  return subset;
}

/**
 * Subsets kept on disk: each edit that brings a new character makes one, and a folder of briefs
 * needs one per brief and face for the handouts and a few for the prints. In this project's cache
 * after a day of tests, 2,055 subsets had a median of 16 KB and a largest of 109 KB; one run of the
 * test suite uses 1,069 (19 MB). The 4,000 used last are kept (this cache at 3,958 subsets, after
 * an evening of test runs and benchmarks: 67 MB, a median of 16 KB): with 1,000, the suite's
 * subsets, used in turn, were each forgotten before their next use and all made again every run.
 */
const SUBSETS_KEPT = 4000;


/** Every face a template bundles, resolved once per template name (`cache` lives for the run). */
export function templateFaces(cache: Map<string, ResolvedFace[]>, template: { name: string; fonts: FontFamily[] }, root: string): ResolvedFace[] {
  let faces = cache.get(template.name);
  if (!faces) {
    faces = resolveFaces(template.fonts, root);
    cache.set(template.name, faces);
  }
  return faces;
}
