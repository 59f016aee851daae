import type { Code, Root } from 'mdast';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { parseAttributes } from '../attributes.ts';
import { ChartError, drawChart } from '../chart.ts';
import type { Point } from '../messages.ts';
import { report } from '../messages.ts';
import { formatBytes } from '../read.ts';
import { closest } from '../validate.ts';
import { safeDecode } from './rehype-images.ts';

export interface RemarkChartsOptions {
  /** Largest data file a chart may read, in bytes. */
  maxDataBytes: number;
}

/** A chart drawn from a `vega-lite` block, waiting for rehype-charts to place it. */
export interface DrawnFigure {
  /** Where the block starts in the source: rehype-charts finds its <pre> by this offset. */
  offset: number;
  /** The label from the block's meta (`{#fig-gdp}`), if any. */
  label: string | undefined;
  caption: string;
  /** The chart's accessible name: the spec's description, else the caption. */
  name: string;
  svg: string;
  /** The chart's data, as the handout's table shows it (formatted in the brief's language). */
  table: { columns: string[]; rows: string[][]; more: number; numeric: boolean[] } | undefined;
}

/** Data formats a chart may read, by file extension. */
const FORMATS: Record<string, 'csv' | 'tsv' | 'json'> = { '.csv': 'csv', '.tsv': 'tsv', '.json': 'json' };
/** Vega-Lite's marks, composite marks included (https://vega.github.io/vega-lite/docs/mark.html). */
const MARKS = ['arc', 'area', 'bar', 'boxplot', 'circle', 'errorband', 'errorbar', 'geoshape', 'image', 'line', 'point', 'rect', 'rule', 'square', 'text', 'tick', 'trail'];
/** Rows shown in the handout's data table; the rest are counted. */
const TABLE_ROWS = 500;

/**
 * Draws each ```` ```vega-lite {#fig-x caption="…"} ```` block (spec in JSON or YAML) at build
 * time. Data comes inline or from a CSV, TSV or JSON file in the brief's folder, read here like an
 * image (size-limited, never over the network) and inlined so Vega loads nothing. A spec that
 * cannot be read, a data file that cannot, or a field the data lacks is an error at its place in
 * the block, never a blank figure. The drawings go on file.data.charts; the block stays in the
 * tree until rehype-charts swaps it for the figure (after the sanitizer, which would strip SVG).
 */
export default function remarkCharts(options: RemarkChartsOptions) {
  return async (tree: Root, file: VFile) => {
    const blocks: Code[] = [];
    visit(tree, 'code', (node) => {
      if (node.lang === 'vega-lite') blocks.push(node);
    });
    if (blocks.length === 0) return;
    const charts = (file.data.charts ??= []);
    // One at a time: Vega is CPU-bound, and messages then come in document order.
    for (const block of blocks) {
      const drawn = await drawBlock(block, file, options);
      if (drawn) charts.push(drawn);
    }
  };
}

async function drawBlock(block: Code, file: VFile, options: RemarkChartsOptions): Promise<DrawnFigure | undefined> {
  const fence = block.position?.start;
  if (!fence || block.position?.start.offset === undefined) return undefined;
  const error = (reason: string, rule: string, at: Point = fence) => {
    report(file, 'error', reason, rule, at);
    return undefined;
  };
  const meta = block.meta?.trim() ? parseAttributes(block.meta) : { id: undefined, classes: [], values: {} };
  if (typeof meta === 'string') return error(`The chart's attributes cannot be read: ${meta}. Write them as {#fig-name caption="…"}.`, 'chart-spec');
  if (meta.id !== undefined && !meta.id.startsWith('fig-')) return error(`A chart's label starts with "fig-" (found "#${meta.id}"): write {#fig-${meta.id}}.`, 'crossref-label');
  const caption = meta.values.caption?.trim() ?? '';

  // JSON is YAML too: one parser reads both, with the place of every value. A spec written as
  // JSON is first read as JSON, whose errors say more about JSON than YAML's would.
  const where = (offset: number) => pointIn(block, offset);
  if (block.value.trimStart().startsWith('{')) {
    try {
      JSON.parse(block.value);
    } catch (caught) {
      const message = (caught as Error).message;
      const position = /at position (\d+)/.exec(message);
      return error(`The chart's spec is not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}.`, 'chart-spec', where(position ? Number(position[1]) : block.value.length));
    }
  }
  const document = parseDocument(block.value, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    return error(`The chart's spec is neither valid JSON nor YAML: ${first.message.split('\n')[0]}.`, 'chart-spec', where(first.pos[0]));
  }
  const spec = document.toJS() as unknown;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return error('A vega-lite block holds a Vega-Lite spec: a mapping such as {"mark": "bar", "data": …, "encoding": …}.', 'chart-spec');
  const specObject = spec as Record<string, unknown>;
  // "container" sizes a chart to its element in a browser; drawn here there is none (it would be
  // drawn 0 wide), so the theme's width applies, and CSS scales the SVG to the column.
  for (const size of ['width', 'height']) if (specObject[size] === 'container') delete specObject[size];

  // Vega-Lite does not check mark names itself: an unknown one fails deep inside it.
  for (const mark of markNames(document.contents)) {
    if (MARKS.includes(mark.name)) continue;
    const near = closest(mark.name, MARKS);
    return error(`Unknown mark "${mark.name}".${near ? ` Did you mean "${near}"?` : ''} Marks: ${MARKS.join(', ')}.`, 'chart-spec', where(mark.offset));
  }

  // Data files: read from the brief's folder only, inlined as text for Vega to parse.
  const columns = new Set<string>();
  let columnsKnown = true;
  let tableRows: Record<string, unknown>[] | undefined;
  for (const { data, node } of dataSources(document.contents, specObject)) {
    const at = node ? where(node.range?.[0] ?? 0) : fence;
    if (typeof data.url === 'string') {
      const loaded = await readData(data.url, data.format, file, options, at);
      if (!loaded) return undefined;
      delete data.url;
      data.values = loaded.text;
      data.format = { ...(data.format as object | undefined), type: loaded.type };
      for (const row of loaded.rows.slice(0, 100)) for (const key of Object.keys(row)) columns.add(key);
      tableRows ??= loaded.rows;
    } else if (Array.isArray(data.values)) {
      const rows = data.values.filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object' && !Array.isArray(row));
      for (const row of rows.slice(0, 100)) for (const key of Object.keys(row)) columns.add(key);
      tableRows ??= rows;
    } else if (typeof data.values === 'string' || data.name !== undefined || data.sequence !== undefined) {
      // Inline text, named or generated data: columns unknown here, so fields are not checked.
      columnsKnown = false;
    }
  }

  // Every field the encodings name must be in the data, or made by a transform.
  const types = new Map<string, string>();
  if (columnsKnown && columns.size > 0 && !hasTransform(specObject, ['pivot', 'flatten', 'lookup', 'fold'])) {
    // "*" is every field (count of rows).
    const known = new Set([...columns, ...derivedNames(specObject), '*']);
    for (const use of encodedFields(document.contents)) {
      if (use.type) types.set(use.field, use.type);
      if (known.has(use.field) || known.has(unescapedHead(use.field))) continue;
      const near = closest(use.field, [...known]);
      const hint = near ? ` Did you mean "${near}"?` : '';
      return error(`Field "${use.field}" is not in the chart's data.${hint} Fields: ${[...columns].join(', ')}.`, 'chart-field', where(use.offset));
    }
  } else {
    for (const use of encodedFields(document.contents)) if (use.type) types.set(use.field, use.type);
  }

  const description = typeof specObject.description === 'string' ? specObject.description.trim() : '';
  const name = description || caption;
  if (!name) report(file, 'warning', 'Chart has no text alternative: give the spec a "description" (what the chart shows), or the block a caption: {#fig-name caption="…"}.', 'chart-name', fence);
  const lang = file.data.matter?.lang ?? 'en';

  let drawn;
  try {
    drawn = await drawChart(specObject as never, { theme: file.data.chartTheme, lang });
  } catch (caught) {
    if (!(caught instanceof ChartError)) throw caught;
    return error(`The chart cannot be drawn: ${caught.message.replace(/\.$/, '')}. Check the spec against https://vega.github.io/vega-lite/docs/.`, 'chart-spec');
  }
  for (const warning of drawn.warnings) report(file, 'warning', `Vega-Lite: ${warning}`, 'chart-spec', fence);

  return { offset: block.position!.start.offset!, label: meta.id, caption, name, svg: drawn.svg, table: tableRows ? dataTable(tableRows, types, lang) : undefined };
}

/**
 * The `data` objects of a spec (top level, layers, concatenations, lookups), each with its YAML
 * node for positions. They are the parsed spec's own objects: changing one changes the spec.
 */
function* dataSources(root: unknown, spec: Record<string, unknown>): Generator<{ data: Record<string, unknown>; node: YamlNode | undefined }> {
  const walk = function* (value: unknown, node: unknown): Generator<{ data: Record<string, unknown>; node: YamlNode | undefined }> {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) yield* walk(item, isSeq(node) ? node.items[index] : undefined);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childNode = isMap(node) ? (node.get(key, true) as unknown) : undefined;
      if (key === 'data' && child !== null && typeof child === 'object' && !Array.isArray(child)) yield { data: child as Record<string, unknown>, node: childNode as YamlNode | undefined };
      else yield* walk(child, childNode);
    }
  };
  yield* walk(spec, root);
}

/** Reads one data file beside the brief, or reports why not. */
async function readData(url: string, format: unknown, file: VFile, options: RemarkChartsOptions, at: Point): Promise<{ name: string; text: string; type: string; rows: Record<string, unknown>[] } | undefined> {
  const fail = (reason: string, rule: string) => {
    report(file, 'error', reason, rule, at);
    return undefined;
  };
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) return fail(`Chart data "${url}" is not read: charts use only files beside the brief (data: {url: data.csv}), never the network.`, 'chart-data');
  const folder = dirname(file.path);
  const absolute = resolve(folder, safeDecode(url.split(/[?#]/)[0]!));
  const dependencies = (file.data.dependencies ??= []);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    dependencies.push(absolute);
    return fail(`Chart data "${url}" not found (looked for ${relative(file.cwd, absolute)}). Save it beside the brief.`, 'chart-data');
  }
  const root = await realpath(folder);
  if (!real.startsWith(root + sep)) return fail(`Chart data "${url}" is outside the brief's folder; it was not read. Copy it beside the brief.`, 'chart-data');
  const declared = format !== null && typeof format === 'object' ? (format as Record<string, unknown>).type : undefined;
  const type = Object.values(FORMATS).find((known) => known === declared) ?? (declared === undefined ? FORMATS[extname(real).toLowerCase()] : undefined);
  if (!type) return fail(`Chart data "${url}" is not CSV, TSV or JSON (by its extension, or format: {type: csv}).`, 'chart-data');
  const size = (await stat(real)).size;
  if (size > options.maxDataBytes) return fail(`Chart data "${url}" is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxDataBytes)} (limits.max_data_bytes). Aggregate it first.`, 'limit-data-size');
  dependencies.push(real);
  const text = await readFile(real, 'utf8');
  const { read } = await import('vega');
  let rows: unknown;
  try {
    const property = format !== null && typeof format === 'object' ? (format as Record<string, unknown>).property : undefined;
    rows = read(text, { type, ...(typeof property === 'string' ? { property } : {}) });
  } catch (caught) {
    return fail(`Chart data "${url}" cannot be read as ${type.toUpperCase()}: ${(caught as Error).message}.`, 'chart-data');
  }
  if (!Array.isArray(rows)) return fail(`Chart data "${url}" holds no table: JSON data is a list of records, [{"year": 2000, "gdp": 1.2}, …].`, 'chart-data');
  return { name: url, text, type, rows: rows.filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object') };
}

/** Each `field` named inside an `encoding`, with its type and where it is written. */
function encodedFields(root: unknown): { field: string; type: string | undefined; offset: number }[] {
  const found: { field: string; type: string | undefined; offset: number }[] = [];
  const walk = (node: unknown, inEncoding: boolean) => {
    if (isSeq(node)) {
      for (const item of node.items) walk(item, inEncoding);
      return;
    }
    if (!isMap(node)) return;
    const type = node.get('type');
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (inEncoding && key === 'field' && isScalar(pair.value) && typeof pair.value.value === 'string') {
        found.push({ field: pair.value.value, type: typeof type === 'string' ? type : undefined, offset: pair.value.range?.[0] ?? 0 });
      }
      walk(pair.value, inEncoding || key === 'encoding');
    }
  };
  walk(root, false);
  return found;
}

/** Each mark a spec names (`mark: bar` or `mark: {type: bar}`), with where it is written. */
function markNames(root: unknown): { name: string; offset: number }[] {
  const found: { name: string; offset: number }[] = [];
  const walk = (node: unknown) => {
    if (isSeq(node)) node.items.forEach(walk);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value: unknown = key === 'mark' && isMap(pair.value) ? pair.value.get('type', true) : pair.value;
      if (key === 'mark' && isScalar(value) && typeof value.value === 'string') found.push({ name: value.value, offset: value.range?.[0] ?? 0 });
      else walk(pair.value);
    }
  };
  walk(root);
  return found;
}

/** Names transforms create (`as`), which encodings may use besides the data's columns. */
function derivedNames(spec: unknown): string[] {
  const names: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'as') names.push(...(Array.isArray(child) ? child : [child]).filter((name): name is string => typeof name === 'string'));
        else walk(child);
      }
    }
  };
  walk(spec);
  return names;
}

/** True when the spec uses a transform whose output columns depend on the data's values. */
function hasTransform(spec: unknown, kinds: string[]): boolean {
  if (Array.isArray(spec)) return spec.some((item) => hasTransform(item, kinds));
  if (spec === null || typeof spec !== 'object') return false;
  return Object.entries(spec).some(([key, child]) => kinds.includes(key) || hasTransform(child, kinds));
}

/** "a.b" names field "a" (nested); "a\.b" names the field "a.b". */
function unescapedHead(field: string): string {
  let head = '';
  for (let index = 0; index < field.length; index++) {
    const char = field[index]!;
    if (char === '\\' && index + 1 < field.length) head += field[++index];
    else if (char === '.' || char === '[') break;
    else head += char;
  }
  return head;
}

/** The data as the handout's table shows it: quantities and dates formatted in the brief's language. */
function dataTable(rows: Record<string, unknown>[], types: Map<string, string>, lang: string): DrawnFigure['table'] {
  const columns = [...new Set(rows.slice(0, 100).flatMap((row) => Object.keys(row)))];
  if (columns.length === 0) return undefined;
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 6 });
  const date = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', timeZone: 'UTC' });
  const cell = (column: string, value: unknown): string => {
    if (value === null || value === undefined) return '';
    const type = types.get(column);
    const text = String(value);
    if (type === 'quantitative' && text.trim() !== '' && Number.isFinite(Number(text))) return number.format(Number(text));
    if (type === 'temporal') {
      // Only full ISO dates are reformatted; a year alone ("2001") already reads the same everywhere.
      const parts = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
      if (parts) {
        const when = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3] ?? 1));
        return (parts[3] ? date : month).format(when);
      }
    }
    return text;
  };
  return {
    columns,
    rows: rows.slice(0, TABLE_ROWS).map((row) => columns.map((column) => cell(column, row[column]))),
    more: Math.max(0, rows.length - TABLE_ROWS),
    // Quantities are set right-aligned, so their digits line up.
    numeric: columns.map((column) => types.get(column) === 'quantitative'),
  };
}

/** The place in the brief of an offset into a fenced block's text (its content starts on the line after the fence). */
function pointIn(block: Code, offset: number): Point {
  const start = block.position!.start;
  const before = block.value.slice(0, offset);
  const lines = before.split('\n');
  const indent = start.column - 1;
  return { line: start.line + lines.length, column: lines.at(-1)!.length + 1 + indent };
}
