import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { formatBytes } from './read.ts';
import { report, type Place, type Point } from './messages.ts';
import { parseYaml } from './yaml.ts';

/** One work in CSL-JSON, the form the CSL processor reads. */
export interface CslItem {
  id: string;
  [field: string]: unknown;
}

export interface ReadBibliographyOptions {
  /** Folders a bibliography may be read from (real paths). */
  allowedRoots: string[];
  /** Largest file read, in bytes. */
  maxBytes: number;
}

/** The works of a brief's bibliography files, by key, and the files read (for the incremental build). */
export interface Bibliography {
  items: Map<string, CslItem>;
  files: string[];
}

/** File types read, by extension. */
const FORMATS: Record<string, 'bibtex' | 'csl'> = { '.bib': 'bibtex', '.bibtex': 'bibtex', '.biblatex': 'bibtex', '.json': 'csl', '.yaml': 'csl', '.yml': 'csl' };

/** CSL date fields, which CSL-YAML may write as plain text ("2020-05"). */
const DATE_FIELDS = ['accessed', 'available-date', 'event-date', 'issued', 'original-date', 'submitted'];

/**
 * Reads the files named by `bibliography:` (paths relative to the brief): BibTeX or BibLaTeX
 * (.bib), CSL-JSON (.json) or CSL-YAML (.yaml, .yml). Like images, only files inside the allowed
 * folders and under the size limit are read. A missing file is an error at the front-matter line;
 * a malformed one an error at its own line (the message's file is the bibliography). Returns
 * undefined when any file could not be used.
 */
export async function readBibliography(file: VFile, sources: { path: string; place?: Place }[], options: ReadBibliographyOptions): Promise<Bibliography | undefined> {
  const result: Bibliography = { items: new Map(), files: [] };
  const dependencies = (file.data.dependencies ??= []);
  let usable = true;
  for (const { path, place: at } of sources) {
    const format = FORMATS[extname(path).toLowerCase()];
    if (!format) {
      report(file, 'error', `Bibliography "${path}" is not a type brief reads: use a BibTeX file (.bib), CSL-JSON (.json) or CSL-YAML (.yaml).`, 'bibliography', at);
      usable = false;
      continue;
    }
    const absolute = resolve(file.dirname ?? '.', path);
    let real: string;
    try {
      real = await realpath(absolute);
    } catch {
      dependencies.push(absolute);
      report(file, 'error', `Bibliography "${path}" not found (looked for ${relative(file.cwd, absolute)}). Put it beside the brief, or correct the path in "bibliography:".`, 'bibliography', at);
      usable = false;
      continue;
    }
    if (!options.allowedRoots.some((root) => real === root || real.startsWith(root + sep))) {
      report(file, 'error', `Bibliography "${path}" is outside the brief's folder; it was not read. Copy it beside the brief.`, 'outside-project', at);
      usable = false;
      continue;
    }
    const size = (await stat(real)).size;
    if (size > options.maxBytes) {
      report(file, 'error', `Bibliography "${path}" is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxBytes)} (limits.max_data_bytes).`, 'limit-data-size', at);
      usable = false;
      continue;
    }
    dependencies.push(real);
    result.files.push(real);
    const text = (await readFile(real, 'utf8')).replace(/^\uFEFF/, '');
    const items = format === 'bibtex' ? await readBibtex(file, real, text) : readCsl(file, real, text);
    if (!items) {
      usable = false;
      continue;
    }
    for (const item of items) {
      if (result.items.has(item.id)) {
        reportIn(file, real, 'warning', `Key "${item.id}" is defined twice in the bibliography; the first one is used. Rename or remove the other.`, 'bibliography');
        continue;
      }
      result.items.set(item.id, item);
    }
    if (items.length === 0) reportIn(file, real, 'warning', `Bibliography "${path}" has no entries.`, 'bibliography');
  }
  return usable ? result : undefined;
}

/** BibTeX/BibLaTeX through citation-js, which maps its fields and types to CSL as Pandoc does. */
async function readBibtex(file: VFile, path: string, text: string): Promise<CslItem[] | undefined> {
  // Loaded on first use: briefs without a BibTeX bibliography do not pay for citation-js.
  const { plugins } = await import('@citation-js/core');
  // Registers the BibTeX/BibLaTeX reader with citation-js's input chain.
  await import('@citation-js/plugin-bibtex');
  try {
    const items = plugins.input.chain(text, { forceType: '@biblatex/text', target: '@csl/list+object', maxChainLength: 10, strict: true, generateGraph: false }) as unknown;
    if (!Array.isArray(items)) throw new Error('it gave no list of entries');
    return items.map((item: Record<string, unknown>) => ({ ...item, id: String(item['citation-key'] ?? item.id) }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // citation-js's parser puts the place only in its message ("… at line 3 col 6:"), so it is read from there.
    const place = /at line (\d+) col (\d+)/.exec(message);
    const what = message.split('\n')[0]!.replace(/ at line \d+ col \d+:?.*$/, '').replace(/"rbrace"/g, '"}"').replace(/"lbrace"/g, '"{"').replace(/"equals"/g, '"="').replace(/"comma"/g, '","');
    reportIn(file, path, 'error', `The bibliography is not valid BibTeX: ${what}. Look for an unclosed brace or a missing "=" or "," near here.`, 'bibliography', place ? { line: Number(place[1]), column: Number(place[2]) } : { line: 1, column: 1 });
    return undefined;
  }
}

/** CSL-JSON or CSL-YAML (a list of works, or Pandoc's `references:` list), with positions from the YAML parser (JSON is YAML). */
function readCsl(file: VFile, path: string, text: string): CslItem[] | undefined {
  const before = file.messages.length;
  const yaml = parseYaml(file, text, { firstLine: 1, rule: 'bibliography', maxAliasCount: 100 });
  for (const message of file.messages.slice(before)) message.file = path;
  if (!yaml) return undefined;
  const data = yaml.data;
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { references?: unknown }).references) ? (data as { references: unknown[] }).references : undefined;
  const listPath = Array.isArray(data) ? [] : ['references'];
  if (!list) {
    reportIn(file, path, 'error', 'The bibliography is not CSL: expected a list of works (or "references:" with a list), each with an "id".', 'bibliography', yaml.locate([]).start);
    return undefined;
  }
  const items: CslItem[] = [];
  let valid = true;
  list.forEach((entry, index) => {
    const id = entry && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') {
      reportIn(file, path, 'error', `Work ${index + 1} of the bibliography has no "id": give each work an id, the key the brief cites it by.`, 'bibliography', yaml.locate([...listPath, index]).start);
      valid = false;
      return;
    }
    const item: CslItem = { ...(entry as Record<string, unknown>), id: String(id) };
    for (const field of DATE_FIELDS) {
      const value = item[field];
      if (typeof value === 'string' || typeof value === 'number') item[field] = { raw: String(value) };
    }
    items.push(item);
  });
  return valid ? items : undefined;
}

/** A message about a bibliography file, at its own line. */
function reportIn(file: VFile, path: string, severity: 'error' | 'warning', reason: string, rule: string, place?: Point): void {
  const message = report(file, severity, reason, rule, place);
  message.file = path;
}
