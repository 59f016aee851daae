import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A font family as a template's fonts.yaml declares it. */
export interface FontFamily {
  /** The name the template's CSS uses in font-family. */
  family: string;
  /** The npm package that ships the font files. */
  package: string;
  /** `cjk`: only Chinese/Japanese/Korean characters are drawn with it (Latin text keeps the Latin face). */
  script?: 'latin' | 'cjk';
  /** `code`: embedded only when the brief has code, kbd or samp. */
  only_for?: 'code';
  faces: { weight: number; style: 'normal' | 'italic'; file: string }[];
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
      path: join(packageDir, face.file),
    }));
  });
}

/** Characters a CJK face is used for: kana, CJK ideographs and punctuation, full-width forms. */
const CJK = /[\u2E80-\u2FFF\u3000-\u30FF\u3100-\u31FF\u3200-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF]|[\u{20000}-\u{3FFFF}]/u;

/** Always available, whatever the text: digits for page numbers, basic punctuation. */
const ALWAYS = '0123456789 .,:;-–—/()[]#%&*+"\'“”‘’…';

const fontBytes = new Map<string, Promise<Buffer>>();
const subsets = new Map<string, Promise<string>>();

/**
 * @font-face rules embedding each face as a WOFF subset that holds exactly the glyphs `text`
 * uses, so a handout carries no unused glyphs and a printed PDF embeds real (not Type 3) fonts.
 * CJK faces get only CJK characters; a face with nothing to draw is left out. Subsets are
 * cached for the life of the process (watch mode, batches).
 */
export async function fontFaceCss(faces: ResolvedFace[], text: string, cacheDir?: string): Promise<string> {
  const all = new Set(text + ALWAYS);
  const latin = [...all].sort().join('');
  const cjk = [...all].filter((char) => CJK.test(char)).sort().join('');
  const rules = await Promise.all(
    faces.map((face) => {
      const chars = face.script === 'cjk' ? cjk : latin;
      if (chars === '') return '';
      const key = `${face.path}\0${createHash('sha1').update(chars).digest('hex')}`;
      let rule = subsets.get(key);
      if (!rule) {
        rule = subsetRule(face, chars, cacheDir);
        subsets.set(key, rule);
        rule.catch(() => subsets.delete(key));
      }
      return rule;
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
 * harfbuzz's hb-subset. WOFF (zlib) rather than WOFF2: ten times faster to make, a fifth larger.
 */
async function cachedSubset(face: ResolvedFace, chars: string, cacheDir: string | undefined): Promise<Buffer> {
  const info = await stat(face.path);
  const key = createHash('sha256').update(`${face.path}\0${info.size}\0${info.mtimeMs}\0${chars}`).digest('hex').slice(0, 32);
  const cached = cacheDir ? join(cacheDir, `${key}.woff`) : undefined;
  if (cached) {
    const hit = await readFile(cached).catch(() => undefined);
    if (hit) return hit;
  }
  let bytes = fontBytes.get(face.path);
  if (!bytes) {
    bytes = readFile(face.path);
    fontBytes.set(face.path, bytes);
  }
  const { default: subsetFont } = await import('subset-font');
  const subset = await subsetFont(await bytes, chars, { targetFormat: 'woff' });
  if (cached && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    await writeFile(temp, subset);
    await rename(temp, cached);
  }
  return subset;
}

/** The characters a page shows: its HTML with tags removed and character references decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' })[name]!);
}
