import Handlebars from 'handlebars';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { VFile } from 'vfile';
import { BriefError } from '../errors.ts';
import { TOOL_ROOT } from '../paths.ts';
import { resolveBrand, type ResolvedBrand } from './brand.ts';
import type { Labels } from './file-data.ts';
import type { FontFamily } from './fonts.ts';
import { CssSyntaxError } from 'postcss';
import { fontSelectorWarnings } from './font-usage.ts';
import { report } from './messages.ts';
import { compileTemplate } from './precompiled-template.ts';
import { brandSchema } from './schema.ts';
import { embedCssAssets, embedMarkupAssets, type TemplateAssets } from './template-assets.ts';
import { closest, validate } from './validate.ts';
import { parseYaml, type PositionedYaml } from './yaml.ts';
import { Remembered } from './remembered.ts';

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
  /** Problems in the template that do not stop a build (a font selector the model cannot follow), for each brief to report. */
  warnings: TemplateWarning[];
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

/** Reports a template's warnings on a brief built with it, each at its template file's line and column. */
export function reportTemplateWarnings(file: VFile, template: Template): void {
  for (const warning of template.warnings) {
    const message = report(file, 'warning', warning.message, warning.rule, { line: warning.line, column: warning.column });
    message.file = warning.path;
  }
}

/** A template problem that leaves the outputs usable: reported as a warning at the template file's place. */
export interface TemplateWarning {
  path: string;
  line: number;
  column: number;
  message: string;
  rule: string;
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

/** Throws UnknownTemplateError, naming the templates there are, when templates/<name> does not exist. */
export async function requireTemplate(templatesDir: string, name: string): Promise<void> {
  const available = await listTemplates(templatesDir);
  if (!available.includes(name)) throw new UnknownTemplateError(name, available.filter((template) => !template.startsWith('_')));
}

/** Template folders that exist under `templatesDir` (those starting with "_" are brief's own, such as the index). */
export async function listTemplates(templatesDir: string): Promise<string[]> {
  try {
    const entries = await readdir(templatesDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw unreadable(error, templatesDir);
  }
}

/** A template file or folder that exists but cannot be read: said so, with the path, never taken for empty. */
function unreadable(error: unknown, path: string): TemplateError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder, not a file' : code;
  return new TemplateError(`Cannot read ${path}: ${why}. Check its permissions (and those of its folders).`, path, 1, 1, 'template-unreadable');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Loads and compiles a template folder with an isolated Handlebars instance in strict mode:
 * a misspelt field is an error, not an empty string. Partials are registered by file name.
 */
export async function loadTemplate(templatesDir: string, name: string): Promise<Template> {
  await requireTemplate(templatesDir, name);
  const dir = join(templatesDir, name);
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);

  const files: string[] = [];
  const read = async (path: string) => {
    files.push(path);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw unreadable(error, path);
    }
  };
  // Images and backgrounds the template names load like a brief's own: embedded at load time.
  const assets: TemplateAssets = { dir, root: dirname(templatesDir), files };
  const readMarkup = async (path: string) => embedMarkupAssets(await read(path), path, assets);
  const list = (path: string) =>
    readdir(path).catch((error: unknown) => {
      if (isMissing(error)) return [] as string[];
      throw unreadable(error, path);
    });

  const partialsDir = join(dir, 'partials');
  const partialNames = (await list(partialsDir)).filter((file) => file.endsWith('.hbs')).sort();
  for (const file of partialNames) {
    const path = join(partialsDir, file);
    const source = await readMarkup(path);
    handlebars.registerPartial(basename(file, '.hbs'), located(await compile(handlebars, source, path), handlebars, source, path));
  }
  const entries = (await list(dir)).sort();
  const layoutPath = join(dir, 'layout.hbs');
  if (!entries.includes('layout.hbs')) throw new TemplateError(`Template "${name}" has no layout.hbs. Every template folder needs one.`, layoutPath, 1, 1, 'template-incomplete');
  const layoutSource = await readMarkup(layoutPath);
  const layout = located(await compile(handlebars, layoutSource, layoutPath), handlebars, layoutSource, layoutPath);

  let screen = '';
  let print = '';
  const warnings: TemplateWarning[] = [];
  for (const file of entries.filter((entry) => entry.endsWith('.css'))) {
    const path = join(dir, file);
    const raw = await read(path);
    // Warnings are placed in the file as written, before its images are embedded.
    warnings.push(...cssWarnings(path, raw));
    const text = await embedCssAssets(raw, path, assets);
    if (file === 'print.css') print += text;
    else screen += text;
  }

  const labelsPath = join(dir, 'labels.yaml');
  const labelsByLang = (entries.includes('labels.yaml') ? templateYaml(labelsPath, await read(labelsPath)).data ?? {} : {}) as Record<string, Record<string, string>>;
  const fontsPath = join(dir, 'fonts.yaml');
  const fonts = entries.includes('fonts.yaml') ? fontFamilies(fontsPath, templateYaml(fontsPath, await read(fontsPath))) : [];
  const themePath = join(dir, 'chart-theme.json');
  const chartTheme = entries.includes('chart-theme.json') ? readTheme(await read(themePath), themePath) : undefined;

  const brand = entries.includes('brand.yaml') ? await loadBrand(join(dir, 'brand.yaml'), dir, templatesDir, read) : undefined;
  if (brand?.logo) files.push(brand.logo.path);

  return {
    name,
    dir,
    files,
    css: { screen: BASE_CSS + screen, print },
    fonts,
    chartTheme,
    brand,
    warnings,
    labels(lang) {
      const primary = lang.toLowerCase().split('-')[0]!;
      return { ...labelsByLang.en, ...labelsByLang[primary] };
    },
    render(view) {
      return layout(view);
    },
  };
}

/**
 * What every template's CSS starts with, before its own rules (which may say otherwise): the
 * browser's default for a note number, `vertical-align: super`, is placed by Chromium 21/64 px
 * higher or lower from one print of the same page to the next (the Japanese report showcase gave
 * two different PDFs in eight builds); raised by an offset in em, 14 builds in 14 were the same.
 */
const BASE_CSS = 'sup { vertical-align: baseline; position: relative; top: -0.5em; }\n';

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
  const yaml = parseYaml(file, text, { firstLine: 1, rule: 'template-brand', maxAliasCount: 100 });
  const brand = yaml ? validate(brandSchema, yaml, file, { noun: 'Brand field', rule: 'template-brand', unknownRule: 'template-brand' }) : undefined;
  const resolved = brand && yaml ? await resolveBrand(brand, dir, file, yaml.locate, []) : undefined;
  const problem = file.messages.find((message) => message.fatal === true) ?? (resolved ? undefined : file.messages[0]);
  if (problem || !resolved) throw new TemplateError(problem?.reason ?? 'brand.yaml could not be read.', path, problem?.line ?? 1, problem?.column ?? 1, problem?.ruleId ?? 'template-brand');
  return resolved;
}

/**
 * A stylesheet's font selectors that subsetting cannot follow, as warnings at their place; a CSS
 * syntax error is the template's error, at postcss's line and column.
 */
function cssWarnings(path: string, css: string): TemplateWarning[] {
  try {
    return fontSelectorWarnings(css).map((warning) => ({
      path,
      line: warning.line,
      column: warning.column,
      message: `Selector "${warning.selector}" sets a font, but ${warning.reason}: the fonts it may select are embedded with every character of the page. Use a selector of classes, elements and :is()/:not(), or ignore this (unsupported-selector).`,
      rule: 'unsupported-selector',
    }));
  } catch (error) {
    if (!(error instanceof CssSyntaxError)) throw error;
    throw new TemplateError(`CSS: ${error.reason}. Fix ${basename(path)} of the template.`, path, error.line ?? 1, error.column ?? 1, 'template-error');
  }
}

/** A template's YAML file, parsed with positions; a syntax error is a TemplateError at its line and column. */
function templateYaml(path: string, text: string): PositionedYaml {
  // labels.yaml and fonts.yaml are the same for every run of a process (watch mode, the tests):
  // parsed with positions once per content; each load gets its own copy of the data.
  const parsed = parsedYaml.of(`${path}\0${text}`, () => parseTemplateYaml(path, text));
  return { ...parsed, data: structuredClone(parsed.data) };
}

const parsedYaml = new Remembered<string, PositionedYaml>(64);

function parseTemplateYaml(path: string, text: string): PositionedYaml {
  const file = new VFile({ path, value: text });
  const parsed = parseYaml(file, text, { firstLine: 1, rule: 'template-error', maxAliasCount: 100 });
  const error = file.messages.find((message) => message.fatal);
  if (!parsed || error) {
    throw new TemplateError(`${error?.reason ?? 'YAML: the file cannot be read.'} Fix ${basename(path)} of the template.`, path, error?.line ?? 1, error?.column ?? 1);
  }
  return parsed;
}

/**
 * fonts.yaml's families, each checked where it stands in the file: its npm package installed, its
 * face files inside it. A misspelt package is the template's error at its line, not a crash later.
 */
function fontFamilies(path: string, yaml: PositionedYaml): FontFamily[] {
  if (!Array.isArray(yaml.data)) throw at(path, yaml.locate([]), 'fonts.yaml must be a list of font families (- family: …, package: …, faces: […]).');
  const families = yaml.data as FontFamily[];
  const require = createRequire(join(TOOL_ROOT, 'package.json'));
  families.forEach((family, index) => {
    if (typeof family?.package !== 'string' || typeof family.family !== 'string' || !Array.isArray(family.faces)) {
      throw at(path, yaml.locate([index]), 'Each font family needs family: (the name the CSS uses), package: (the npm package with the files) and faces: (a list of weight, style, file).');
    }
    let packageDir: string;
    try {
      packageDir = dirname(require.resolve(`${family.package}/package.json`));
    } catch {
      const installed = Object.keys((require('./package.json') as { dependencies?: Record<string, string> }).dependencies ?? {});
      const hint = closest(family.package, installed);
      throw at(path, yaml.locate([index, 'package']), `Font package "${family.package}" is not installed.${hint ? ` Did you mean "${hint}"?` : ''} Install it with npm install ${family.package}, or fix the name.`, 'template-font');
    }
    family.faces.forEach((face, faceIndex) => {
      if (typeof face?.file !== 'string' || !existsSync(join(packageDir, face.file))) {
        throw at(path, yaml.locate([index, 'faces', faceIndex, 'file']), `Font file "${String(face?.file)}" is not in the package ${family.package} (looked in ${packageDir}).`, 'template-font');
      }
    });
  });
  return families;
}

function at(path: string, place: { start: { line: number; column: number } }, message: string, code = 'template-error'): TemplateError {
  return new TemplateError(message, path, place.start.line, place.start.column, code);
}

/**
 * A compiled layout or partial whose runtime errors name its own file: Handlebars reports a
 * strict-mode miss as `"autor" not defined in [object Object] - 3:4` with no file, and the
 * innermost partial is the one whose text holds that place. The message names the fields that
 * the object looked in has, from the path expression found at that place in the parsed template.
 */
function located(template: Handlebars.TemplateDelegate, handlebars: typeof Handlebars, source: string, path: string): Handlebars.TemplateDelegate {
  return (context, options) => {
    try {
      return template(context, options);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw describeMiss(asTemplateError(error, path), handlebars, source, context);
    }
  };
}

/** For `"x" not defined`, says which fields exist where x was looked up, and the closest one. */
function describeMiss(error: TemplateError, handlebars: typeof Handlebars, source: string, context: unknown): TemplateError {
  const miss = /^Template: "([^"]+)" not defined in /.exec(error.message);
  if (!miss) return error;
  const name = miss[1]!;
  const { expression, inBlock } = pathExpressionAt(handlebars.parse(source), error.line, error.column - 1);
  const parts = expression?.parts ?? [name];
  const owner = parts.slice(0, Math.max(0, parts.indexOf(name))).reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), context);
  const where = expression && parts.indexOf(name) > 0 ? `of "${parts.slice(0, parts.indexOf(name)).join('.')}"` : 'here';
  // Inside {{#each}} or {{#with}} the object looked in is not the one this file was given.
  const fields = !inBlock && owner && typeof owner === 'object' ? Object.keys(owner).sort() : [];
  const hint = closest(name, fields);
  const listed = fields.length > 0 ? ` Fields ${where}: ${fields.join(', ')}.` : '';
  return new TemplateError(`Template: "${expression?.original ?? name}" is not a field ${where}.${hint ? ` Did you mean "${hint}"?` : ''}${listed}`, error.path, error.line, error.column);
}

interface PathNode {
  type: string;
  original: string;
  parts: string[];
  loc: { start: { line: number; column: number } };
}

/** The path expression that starts at a line and (0-based) column of a parsed template, and whether a block changed its context. */
function pathExpressionAt(ast: unknown, line: number, column: number): { expression?: PathNode; inBlock: boolean } {
  let found: { expression?: PathNode; inBlock: boolean } = { inBlock: false };
  const walk = (node: unknown, inBlock: boolean): void => {
    if (found.expression || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => walk(child, inBlock));
    const candidate = node as Partial<PathNode> & { path?: { original?: string } };
    if (candidate.type === 'PathExpression' && candidate.loc?.start.line === line && candidate.loc.start.column === column) {
      found = { expression: candidate as PathNode, inBlock };
      return;
    }
    const changesContext = candidate.type === 'BlockStatement' && ['each', 'with'].includes(candidate.path?.original ?? '');
    for (const [key, value] of Object.entries(node)) if (key !== 'loc') walk(value, inBlock || (changesContext && (key === 'program' || key === 'inverse')));
  };
  walk(ast, false);
  return found;
}

async function compile(handlebars: typeof Handlebars, source: string, path: string): Promise<Handlebars.TemplateDelegate> {
  try {
    // Compiled now (or found compiled by content): a syntax error surfaces when the template loads.
    return await compileTemplate(handlebars, source);
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
