import Handlebars from 'handlebars';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VFile } from 'vfile';
import { parse as parseYaml } from 'yaml';
import { BriefError } from '../errors.ts';
import { resolveBrand, type ResolvedBrand } from './brand.ts';
import type { Labels } from './file-data.ts';
import type { FontFamily } from './fonts.ts';
import { report } from './messages.ts';
import { brandSchema } from './schema.ts';
import { embedCssAssets, embedMarkupAssets, type TemplateAssets } from './template-assets.ts';
import { validate } from './validate.ts';
import { parseYaml as parsePositionedYaml } from './yaml.ts';

/** A template folder, compiled: templates/<name>/{layout.hbs, partials/*.hbs, *.css, labels.yaml, fonts.yaml}. */
export interface Template {
  name: string;
  dir: string;
  /** Every file of the template, for incremental builds and watch mode. */
  files: string[];
  /** The stylesheets, in file-name order; print.css is the print-only one. */
  css: { screen: string; print: string };
  /** Font families the CSS uses and where their files are. */
  fonts: FontFamily[];
  /** The theme charts are drawn with: a Vega-Lite config (chart-theme.json), if the template has one. */
  chartTheme: Record<string, unknown> | undefined;
  /** The template's own brand.yaml (logo embedded), which wins over brief.config.yaml's brand; undefined without one. */
  brand: ResolvedBrand | undefined;
  /** Labels for a language (its primary subtag), falling back to English. */
  labels(lang: string): Labels;
  /** Renders the layout with a view; throws TemplateRenderError with the template position. */
  render(view: object): string;
}

/** A problem in a template file (not in a brief): reported at the template's line and column. */
export class TemplateError extends BriefError {
  constructor(
    message: string,
    readonly path: string,
    readonly line: number,
    readonly column: number,
    code = 'template-error',
  ) {
    super(message, code);
  }
}

/** The template a brief names does not exist. */
export class UnknownTemplateError extends BriefError {
  constructor(
    readonly requested: string,
    readonly available: string[],
  ) {
    super(`Cannot find template "templates/${requested}". Create it, or set "template:" to one of: ${available.join(', ') || '(none: templates/ is empty)'}.`, 'unknown-template');
  }
}

/**
 * The template a brief names, loaded once per run (`cache` keeps it; watch mode empties it when a
 * template file changes). A missing or broken template is reported on the brief; gives undefined.
 */
export async function templateFor(cache: Map<string, Promise<Template>>, templatesDir: string, name: string, file: VFile): Promise<Template | undefined> {
  let loading = cache.get(name);
  if (!loading) {
    loading = loadTemplate(templatesDir, name);
    cache.set(name, loading);
  }
  try {
    return await loading;
  } catch (error) {
    cache.delete(name);
    if (error instanceof UnknownTemplateError) {
      // At the value of the brief's template: field (none when brief.config.yaml named it).
      report(file, 'error', error.message, error.code, file.data.frontMatter?.find(['template']));
      return undefined;
    }
    reportTemplateError(file, error);
    return undefined;
  }
}

/** A template's own error, reported on the brief with the template's file, line and column; anything else is thrown on. */
export function reportTemplateError(file: VFile, error: unknown): void {
  if (!(error instanceof TemplateError)) throw error;
  const message = report(file, 'error', error.message, error.code, { line: error.line, column: error.column });
  message.file = error.path;
}

/** Template folders that exist under `templatesDir` (those starting with "_" are brief's own, such as the index). */
export async function listTemplates(templatesDir: string): Promise<string[]> {
  try {
    const entries = await readdir(templatesDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch {
    return [];
  }
}

/**
 * Loads and compiles a template folder with an isolated Handlebars instance in strict mode:
 * a misspelt field is an error, not an empty string. Partials are registered by file name.
 */
export async function loadTemplate(templatesDir: string, name: string): Promise<Template> {
  const available = await listTemplates(templatesDir);
  if (!available.includes(name)) throw new UnknownTemplateError(name, available.filter((template) => !template.startsWith('_')));
  const dir = join(templatesDir, name);
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);

  const files: string[] = [];
  const read = async (path: string) => {
    files.push(path);
    return readFile(path, 'utf8');
  };
  // Images and backgrounds the template names load like a brief's own: embedded at load time.
  const assets: TemplateAssets = { dir, root: dirname(templatesDir), files };
  const readMarkup = async (path: string) => embedMarkupAssets(await read(path), path, assets);

  const partialsDir = join(dir, 'partials');
  const partialNames = (await readdir(partialsDir).catch(() => [] as string[])).filter((file) => file.endsWith('.hbs')).sort();
  for (const file of partialNames) {
    const path = join(partialsDir, file);
    handlebars.registerPartial(basename(file, '.hbs'), compile(handlebars, await readMarkup(path), path));
  }
  const layoutPath = join(dir, 'layout.hbs');
  const layoutSource = await read(layoutPath).catch(() => {
    throw new TemplateError(`Template "${name}" has no layout.hbs. Every template folder needs one.`, layoutPath, 1, 1, 'template-incomplete');
  });
  const layout = compile(handlebars, await embedMarkupAssets(layoutSource, layoutPath, assets), layoutPath);

  const entries = (await readdir(dir)).sort();
  let screen = '';
  let print = '';
  for (const file of entries.filter((entry) => entry.endsWith('.css'))) {
    const text = await embedCssAssets(await read(join(dir, file)), join(dir, file), assets);
    if (file === 'print.css') print += text;
    else screen += text;
  }

  const labelsPath = join(dir, 'labels.yaml');
  const labelsByLang = (entries.includes('labels.yaml') ? parseYaml(await read(labelsPath)) : {}) as Record<string, Record<string, string>>;
  const fontsPath = join(dir, 'fonts.yaml');
  const fonts = (entries.includes('fonts.yaml') ? parseYaml(await read(fontsPath)) : []) as FontFamily[];
  const themePath = join(dir, 'chart-theme.json');
  const chartTheme = entries.includes('chart-theme.json') ? readTheme(await read(themePath), themePath) : undefined;

  const brand = entries.includes('brand.yaml') ? await loadBrand(join(dir, 'brand.yaml'), dir, templatesDir, read) : undefined;
  if (brand?.logo) files.push(brand.logo.path);

  return {
    name,
    dir,
    files,
    css: { screen, print },
    fonts,
    chartTheme,
    brand,
    labels(lang) {
      const primary = lang.toLowerCase().split('-')[0]!;
      return { ...labelsByLang.en, ...labelsByLang[primary] };
    },
    render(view) {
      try {
        return layout(view);
      } catch (error) {
        throw asTemplateError(error, layoutPath);
      }
    },
  };
}

/** A template's chart theme: a JSON object (a Vega-Lite config), else a template error at its line. */
function readTheme(text: string, path: string): Record<string, unknown> {
  let theme: unknown;
  try {
    theme = JSON.parse(text);
  } catch (error) {
    throw new TemplateError(`Template: chart-theme.json is not valid JSON: ${(error as Error).message}`, path, 1, 1);
  }
  if (theme === null || typeof theme !== 'object' || Array.isArray(theme)) throw new TemplateError('Template: chart-theme.json holds a Vega-Lite config, a JSON object.', path, 1, 1);
  return theme as Record<string, unknown>;
}

/**
 * A template's brand.yaml: the same fields as brand: in brief.config.yaml, validated with
 * positions; the first problem is a TemplateError at its line in brand.yaml.
 */
async function loadBrand(path: string, dir: string, templatesDir: string, read: (path: string) => Promise<string>): Promise<ResolvedBrand> {
  const text = await read(path);
  const file = new VFile({ path, value: text, cwd: dirname(templatesDir) });
  const yaml = parsePositionedYaml(file, text, { firstLine: 1, rule: 'template-brand', maxAliasCount: 100 });
  const brand = yaml ? validate(brandSchema, yaml, file, { noun: 'Brand field', rule: 'template-brand', unknownRule: 'template-brand' }) : undefined;
  const resolved = brand && yaml ? await resolveBrand(brand, dir, file, yaml.locate, []) : undefined;
  const problem = file.messages.find((message) => message.fatal === true) ?? (resolved ? undefined : file.messages[0]);
  if (problem || !resolved) throw new TemplateError(problem?.reason ?? 'brand.yaml could not be read.', path, problem?.line ?? 1, problem?.column ?? 1, problem?.ruleId ?? 'template-brand');
  return resolved;
}

function compile(handlebars: typeof Handlebars, source: string, path: string): Handlebars.TemplateDelegate {
  try {
    // compile() is lazy; parsing now makes a syntax error surface when the template loads.
    handlebars.parse(source);
    return handlebars.compile(source, { strict: true, preventIndent: true });
  } catch (error) {
    throw asTemplateError(error, path);
  }
}

/** Handlebars reports "Parse error on line 3" or "… - 3:4"; keep the place it names. */
function asTemplateError(error: unknown, path: string): TemplateError {
  if (error instanceof TemplateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const parse = /Parse error on line (\d+):/.exec(message);
  const runtime = / - (\d+):(\d+)$/.exec(message);
  const line = Number(parse?.[1] ?? runtime?.[1] ?? 1);
  const column = runtime ? Number(runtime[2]) + 1 : 1;
  const reason = message.split('\n').filter((part) => !/^[-. ^]*$/.test(part)).join(' ').replace(/ - \d+:\d+$/, '');
  return new TemplateError(`Template: ${reason}`, path, line, column);
}

/** The template's few helpers: formatting that markup cannot express, never logic about content. */
function registerHelpers(handlebars: typeof Handlebars): void {
  // A value inside a CSS string literal, e.g. content: {{css-string title}} in a <style> block.
  handlebars.registerHelper('css-string', (value: unknown) => new handlebars.SafeString(cssString(String(value ?? ''))));
  // "Page {page} of {pages}" → CSS content with counters, for @page margin boxes.
  handlebars.registerHelper('css-page-counter', (pattern: unknown) => new handlebars.SafeString(pageCounter(String(pattern ?? ''))));
}

/** Quotes text as a CSS string: escapes quotes, backslashes, newlines and "<" (no </style> escape). */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"<>\n\r\f]/g, (char) => `\\${char.charCodeAt(0).toString(16)} `)}"`;
}

function pageCounter(pattern: string): string {
  const parts = pattern.split(/(\{page\}|\{pages\})/).filter((part) => part !== '');
  return parts.map((part) => (part === '{page}' ? 'counter(page)' : part === '{pages}' ? 'counter(pages)' : cssString(part))).join(' ');
}
