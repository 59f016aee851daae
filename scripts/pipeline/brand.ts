import { readFile, realpath } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { report, type Place } from './messages.ts';
import type { Brand } from './schema.ts';

/** A brand with its logo read and embedded: what templates get. */
export interface ResolvedBrand extends Omit<Brand, 'logo'> {
  logo?: { src: string; alt: string; path: string };
}

/** File types a logo may be, and how they are embedded. */
const LOGO_TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png' };

/**
 * Reads the files a brand names (its logo) from beside the file that names it, and embeds them
 * as data URLs: the handout stays one file and Chrome never fetches anything. A missing or
 * unusable logo is one error on `file` at the line of `brand.logo.src` (`at` gives YAML positions).
 * Returns undefined when an error was reported.
 */
export async function resolveBrand(brand: Brand | undefined, dir: string, file: VFile, at: (path: readonly PropertyKey[]) => Place, prefix: readonly PropertyKey[] = ['brand']): Promise<ResolvedBrand | undefined> {
  if (!brand) return {};
  const { logo, ...rest } = brand;
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

/** The config's brand with a template's own on top: each field the template sets wins. */
export function mergeBrand(config: ResolvedBrand | undefined, template: ResolvedBrand | undefined): ResolvedBrand {
  return {
    ...config,
    ...template,
    colors: { ...config?.colors, ...template?.colors },
    fonts: { ...config?.fonts, ...template?.fonts },
  };
}
