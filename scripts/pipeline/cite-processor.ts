import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type CSL from 'citeproc';
import { XMLValidator } from 'fast-xml-parser';
import type { VFile } from 'vfile';
import type { CslItem } from './bibliography.ts';
import { formatBytes } from './read.ts';
import { report, type Place } from './messages.ts';
import type { CiteItem } from './parse-citations.ts';

/** citeproc-js, loaded on first use: it takes a few hundred milliseconds, which briefs without citations do not pay. */
async function loadCiteproc(): Promise<typeof CSL> {
  const { default: citeproc } = await import('citeproc');
  // citeproc-js prints its notes on the processor's state to the console; a worker's output is not
  // the place for them, and what matters to the author is reported as messages.
  citeproc.debug = () => undefined;
  return citeproc;
}

/** Styles shipped with brief (templates/_csl/<name>.csl), by the name `csl:` takes. */
export const BUNDLED_STYLES = ['chicago-note-bibliography', 'chicago-author-date', 'apa'] as const;

/** The style used when a brief names none: most policy briefs cite in notes. */
export const DEFAULT_STYLE = 'chicago-note-bibliography';

/** A CSL style's XML and where it came from. */
export interface CslStyle {
  xml: string;
  /** The file read (real path). */
  path: string;
  /** Shipped with brief (its file is not a dependency of the brief). */
  bundled: boolean;
}

/** One citation to format: its works, the note it sits in (0 in running text), and how it prints. */
export interface ClusterInput {
  items: CiteItem[];
  noteIndex: number;
  /** author-only: "Smith"; suppress-author: the rest, for narrative citations. */
  mode?: 'author-only' | 'suppress-author';
}

/** What the CSL processor made: each citation's HTML, in order, and the bibliography entries. */
export interface Formatted {
  citations: string[];
  bibliography: { id: string; html: string }[];
}

export interface LoadStyleOptions {
  /** Folder of the bundled styles and locales. */
  cslDir: string;
  allowedRoots: string[];
  maxBytes: number;
}

/**
 * Reads the style `csl:` names: a bundled style's name, or a .csl file relative to the brief
 * (read like images: inside the allowed folders, under the size limit). Problems are errors at
 * `at`, the `csl:` field's place (none when the style comes from brief.config.yaml).
 */
export async function loadStyle(file: VFile, csl: string | undefined, at: Place | undefined, options: LoadStyleOptions, cache: Map<string, string>): Promise<CslStyle | undefined> {
  const name = csl ?? DEFAULT_STYLE;
  if ((BUNDLED_STYLES as readonly string[]).includes(name)) {
    const path = join(options.cslDir, `${name}.csl`);
    let xml = cache.get(path);
    if (xml === undefined) {
      xml = await readFile(path, 'utf8');
      cache.set(path, xml);
    }
    return { xml, path, bundled: true };
  }
  if (!name.toLowerCase().endsWith('.csl')) {
    report(file, 'error', `Citation style "${name}" is not bundled: use one of ${BUNDLED_STYLES.join(', ')}, or the path of a .csl file beside the brief.`, 'citation-style', at);
    return undefined;
  }
  const absolute = resolve(file.dirname ?? '.', name);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    (file.data.dependencies ??= []).push(absolute);
    report(file, 'error', `Citation style "${name}" not found (looked for ${relative(file.cwd, absolute)}). Put the .csl file beside the brief, or use one of ${BUNDLED_STYLES.join(', ')}.`, 'citation-style', at);
    return undefined;
  }
  if (!options.allowedRoots.some((root) => real === root || real.startsWith(root + sep))) {
    report(file, 'error', `Citation style "${name}" is outside the brief's folder; it was not read. Copy it beside the brief.`, 'outside-project', at);
    return undefined;
  }
  const size = (await stat(real)).size;
  if (size > options.maxBytes) {
    report(file, 'error', `Citation style "${name}" is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxBytes)} (limits.max_data_bytes).`, 'limit-data-size', at);
    return undefined;
  }
  (file.data.dependencies ??= []).push(real);
  const xml = await readFile(real, 'utf8');
  // citeproc-js reads broken XML without a word and formats nonsense: check it is XML first.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const message = report(file, 'error', `The citation style is not well-formed XML: ${valid.err.msg.replace(/\.$/, '')}. Fix the .csl file, or use one of ${BUNDLED_STYLES.join(', ')}.`, 'citation-style', { line: valid.err.line, column: valid.err.col });
    message.file = real;
    return undefined;
  }
  return { xml, path: real, bundled: false };
}

/** The CSL locale of a brief's language: Japanese editions use the style's Japanese terms. */
export function cslLocale(lang: string): string {
  return /^ja\b/i.test(lang) ? 'ja-JP' : 'en-US';
}

/** A CSL processor set up for one brief: its style, language and works. */
export interface CiteProcessor {
  /** The style puts citations in notes (else they print in the text). */
  note: boolean;
  /** Formats every citation of the brief, in order, and the bibliography of the works cited and `uncited`. */
  format(clusters: ClusterInput[], uncited: string[]): Formatted;
}

/** citeproc-js engines kept between briefs, by style and language. */
export type EngineCache = Map<string, { engine: InstanceType<typeof CSL.Engine>; works: { current: Map<string, CslItem> } }>;

/** An error of citeproc-js's as text: it throws strings as well as Errors. */
export function citeprocReason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^citeproc-js error: /, '').split('\n')[0]!;
}

/**
 * Sets up citeproc-js for one brief. It sees every citation at once and in order, so "ibid.",
 * short forms and disambiguation come out right; links to DOIs and URLs are made by the
 * processor. Throws when the style cannot be used.
 */
export async function createCiteProcessor(style: CslStyle, locales: (tag: string) => string | undefined, lang: string, items: Map<string, CslItem>, engines: EngineCache): Promise<CiteProcessor> {
  // Setting up a style is slow (APA takes seconds), so an engine is kept per style and language
  // and reset for each brief: its works and citations are forgotten, its compiled style is kept.
  const key = `${style.path}\0${cslLocale(lang)}\0${createHash('sha256').update(style.xml).digest('hex')}`;
  let cached = engines.get(key);
  if (!cached) {
    const works: { current: Map<string, CslItem> } = { current: items };
    const citeproc = await loadCiteproc();
    const created = new citeproc.Engine({ retrieveLocale: locales, retrieveItem: (id) => works.current.get(id) }, style.xml, cslLocale(lang), true);
    created.opt.development_extensions.wrap_url_and_doi = true;
    cached = { engine: created, works };
    engines.set(key, cached);
  }
  const { engine } = cached;
  cached.works.current = items;
  engine.restoreProcessorState([]);
  engine.updateItems([]);
  engine.updateUncitedItems([]);
  return {
    note: engine.opt.xclass === 'note',
    format(clusters, uncited) {
      const citations = clusters.map((cluster, index) => ({
        citationID: `c${index + 1}`,
        citationItems: cluster.items.map((item) => ({
          id: item.key,
          ...(item.locator ? { locator: item.locator, label: item.label ?? 'page' } : {}),
          ...(item.prefix ? { prefix: item.prefix } : {}),
          ...(item.suffix ? { suffix: item.suffix } : {}),
          ...(item.suppressAuthor || cluster.mode === 'suppress-author' ? { 'suppress-author': true } : {}),
          ...(cluster.mode === 'author-only' ? { 'author-only': true } : {}),
        })),
        properties: { noteIndex: cluster.noteIndex },
      }));
      const built = engine.rebuildProcessorState(citations, 'html', uncited);
      const byId = new Map(built.map(([id, , html]) => [id, html]));
      const made = engine.makeBibliography();
      const bibliography = made ? made[1].map((html, index) => ({ id: made[0].entry_ids[index]?.[0] ?? '', html })) : [];
      return { citations: citations.map((citation) => byId.get(citation.citationID) ?? ''), bibliography };
    },
  };
}
