import { readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { TOOL_ROOT } from '../paths.ts';
import type { FontFamily } from './fonts.ts';
import { report, type Place } from './messages.ts';
import type { Brand } from './schema.ts';
import { IMAGE_MEDIA_TYPES } from './media-types.ts';

/** A brand with its logo read and embedded: what templates get. */
export interface ResolvedBrand extends Omit<Brand, 'logo'> {
  logo?: { src: string; alt: string; path: string };
  /** Font families the brand brings from fontsource packages, embedded like the template's own. */
  families?: FontFamily[];
}

/** Weights a house face is embedded in, when its package has them: text, semibold, bold. */
const WEIGHTS = [400, 600, 700];

/** File types a logo may be, and how they are embedded. */
const LOGO_TYPES: Readonly<Record<string, string>> = { '.svg': IMAGE_MEDIA_TYPES['.svg']!, '.png': IMAGE_MEDIA_TYPES['.png']! };

/**
 * Reads the files a brand names (its logo) from beside the file that names it, and embeds them
 * as data URLs: the handout stays one file and Chrome never fetches anything. A missing or
 * unusable logo is one error on `file` at the line of `brand.logo.src` (`at` gives YAML positions).
 * Returns undefined when an error was reported.
 */
export async function resolveBrand(brand: Brand | undefined, dir: string, file: VFile, at: (path: readonly PropertyKey[]) => Place, prefix: readonly PropertyKey[] = ['brand']): Promise<ResolvedBrand | undefined> {
  if (!brand) return {};
  const { logo, ...named } = brand;
  const fonts = await fontsourceFamilies(brand.fonts ?? {}, file, (key) => at([...prefix, 'fonts', key]));
  if (!fonts) return undefined;
  const rest: ResolvedBrand = { ...named, fonts: fonts.names, families: fonts.families };
  if (!logo) return rest;
  const place = at([...prefix, 'logo', 'src']);
  const where = relative(file.cwd, file.path) || file.path;
  const absolute = resolve(dir, logo.src);
  const type = LOGO_TYPES[extname(absolute).toLowerCase()];
  if (!type) {
    report(file, 'error', `Logo "${logo.src}" is not an SVG or PNG file: brand.logo.src in ${where} must name one.`, 'brand-logo', place);
    return undefined;
  }
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    report(file, 'error', `Logo "${logo.src}" not found (looked for ${relative(file.cwd, absolute)}). Put the file beside ${where}, or correct brand.logo.src.`, 'brand-logo', place);
    return undefined;
  }
  const base = await realpath(dir);
  if (real !== base && !real.startsWith(base + sep)) {
    report(file, 'error', `Logo "${logo.src}" is outside the folder of ${where}; it was not read. Copy it beside ${where}.`, 'brand-logo', place);
    return undefined;
  }
  const bytes = await readFile(real);
  return { ...rest, logo: { src: `data:${type};base64,${bytes.toString('base64')}`, alt: logo.alt, path: real } };
}

/**
 * Fonts named by a fontsource package (`@fontsource/ibm-plex-sans`) become font families: the
 * family name from the package's metadata.json, its Latin files in the weights and styles it has.
 * A name that is no package is a family the template's fonts.yaml lists, kept as it is.
 */
async function fontsourceFamilies(fonts: NonNullable<Brand['fonts']>, file: VFile, at: (key: string) => Place): Promise<{ names: NonNullable<Brand['fonts']>; families: FontFamily[] } | undefined> {
  const names: Record<string, string> = {};
  const families: FontFamily[] = [];
  const require = createRequire(join(TOOL_ROOT, 'package.json'));
  for (const [key, value] of Object.entries(fonts)) {
    if (!value || !/^@fontsource(-variable)?\//.test(value)) {
      if (value) names[key] = value;
      continue;
    }
    let metadata: { family: string; weights: number[]; styles: string[] };
    try {
      const packageDir = dirname(require.resolve(`${value}/package.json`));
      metadata = JSON.parse(await readFile(join(packageDir, 'metadata.json'), 'utf8')) as typeof metadata;
    } catch {
      report(file, 'error', `Font package "${value}" is not installed: run npm install ${value}, or name a family the template's fonts.yaml lists.`, 'brand-font', at(key));
      return undefined;
    }
    names[key] = metadata.family;
    if (families.some((family) => family.package === value)) continue;
    const weights = WEIGHTS.filter((weight) => metadata.weights.includes(weight));
    const styles = (['normal', 'italic'] as const).filter((style) => metadata.styles.includes(style));
    families.push({ family: metadata.family, package: value, faces: weights.flatMap((weight) => styles.map((style) => ({ weight, style }))) });
  }
  return { names, families };
}

/** The config's brand with a template's own on top: each field the template sets wins. */
export function mergeBrand(config: ResolvedBrand | undefined, template: ResolvedBrand | undefined): ResolvedBrand {
  return {
    ...config,
    ...template,
    colors: { ...config?.colors, ...template?.colors },
    fonts: { ...config?.fonts, ...template?.fonts },
    families: [...(template?.families ?? []), ...(config?.families ?? [])],
  };
}
