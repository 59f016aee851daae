import Handlebars from 'handlebars';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { VFile } from 'vfile';
import { parse as parseYaml } from 'yaml';
import { BriefError } from '../errors.ts';
import type { Labels } from './file-data.ts';
import type { FontFamily } from './fonts.ts';
import { report } from './messages.ts';

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

  const partialsDir = join(dir, 'partials');
  const partialNames = (await readdir(partialsDir).catch(() => [] as string[])).filter((file) => file.endsWith('.hbs')).sort();
  for (const file of partialNames) {
    const path = join(partialsDir, file);
    handlebars.registerPartial(basename(file, '.hbs'), compile(handlebars, await read(path), path));
  }
  const layoutPath = join(dir, 'layout.hbs');
  const layout = compile(handlebars, await read(layoutPath).catch(() => {
    throw new TemplateError(`Template "${name}" has no layout.hbs. Every template folder needs one.`, layoutPath, 1, 1, 'template-incomplete');
  }), layoutPath);

  const entries = (await readdir(dir)).sort();
  let screen = '';
  let print = '';
  for (const file of entries.filter((entry) => entry.endsWith('.css'))) {
    const text = await read(join(dir, file));
    if (file === 'print.css') print += text;
    else screen += text;
  }

  const labelsPath = join(dir, 'labels.yaml');
  const labelsByLang = (entries.includes('labels.yaml') ? parseYaml(await read(labelsPath)) : {}) as Record<string, Record<string, string>>;
  const fontsPath = join(dir, 'fonts.yaml');
  const fonts = (entries.includes('fonts.yaml') ? parseYaml(await read(fontsPath)) : []) as FontFamily[];

  return {
    name,
    dir,
    files,
    css: { screen, print },
    fonts,
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
