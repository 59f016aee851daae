import { readFile, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { VFile } from 'vfile';
import type { BriefJob } from './discover.ts';
import { sha256, type Listing, type Manifest } from './manifest.ts';
import { report } from './messages.ts';
import { formatBytes, readSource } from './read.ts';
import type { Settings } from './settings.ts';
import type { Template } from './template.ts';
import { writeFileAtomic } from './write.ts';

/** The index's template folder (its name starts with "_": briefs cannot pick it). */
export const INDEX_TEMPLATE = '_index';

/** How the index names the briefs that are not in a subfolder. */
const TOP = 'Top folder';

interface Edition {
  lang: string;
  languageName: string;
  title: string;
  date: { iso: string; text: string } | null;
  summary: string | null;
  html: { href: string; size: string } | null;
  pdf: { href: string; size: string } | null;
}

/** What the index shows of one brief's outputs: a link and a size, a link without one (another shard writes it), or nothing. */
type Shown = { href: string; size: string } | null;

/**
 * Writes output/index.html: every brief built into the output folder by any build (the
 * manifest's listings: title, date, language and summary as recorded when each was built) and
 * every brief the build's inputs name (whichever shard was built), with links to its HTML and
 * PDF and their sizes, grouped by folder, the editions of one brief (linked by `translations:`)
 * side by side. A brief not yet recorded (it failed before its front matter was read, or another
 * shard builds it) is read here. When what it would show, the _index files it was rendered from
 * and the file itself are all as the manifest recorded, nothing is loaded, rendered or written
 * (a build that changed nothing touches nothing); otherwise it is rendered, written only if its
 * bytes differ, and recorded. A project without templates/_index has no index; a broken one is
 * reported (file:line:col) in the returned files.
 */
export async function writeIndex(settings: Settings, inputs: BriefJob[], manifest: Manifest): Promise<VFile[]> {
  const listings = manifest.listings();
  const all = new Map(inputs.map((job) => [job.source, job]));
  for (const [source, listing] of listings) {
    if (all.has(source)) continue;
    // Recorded by another build into this folder: listed while its outputs are there.
    const there = (await Promise.all([listing.html, listing.pdf].map((path) => stat(path).then(() => true, () => false)))).some(Boolean);
    if (there) all.set(source, { source, id: listing.id, outputs: { html: listing.html, pdf: listing.pdf } });
  }
  const jobs = new Map([...all].sort(([, a], [, b]) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const indexDir = join(settings.templatesDir, INDEX_TEMPLATE);
  if (jobs.size === 0 || (await stat(indexDir).catch(() => undefined)) === undefined) {
    manifest.forgetIndex();
    return [];
  }
  const indexPath = join(settings.outDir, 'index.html');

  // Everything the page shows besides what its template makes of it, read with stat() alone.
  const outputs = new Map<string, { html: Shown; pdf: Shown }>();
  for (const job of jobs.values()) {
    // In a sharded build the other shards write the rest: their outputs are linked, without a size.
    const output = async (path: string, format: 'html' | 'pdf'): Promise<Shown> => {
      const size = (await stat(path).catch(() => undefined))?.size;
      const elsewhere = settings.shard !== undefined && settings.formats.has(format) && inputs.includes(job);
      if (size === undefined && !elsewhere) return null;
      return { href: posix.relative(posix.dirname(toPosix(relative(settings.outDir, indexPath))), toPosix(relative(settings.outDir, path))), size: size === undefined ? '' : formatBytes(size) };
    };
    outputs.set(job.source, { html: await output(job.outputs.html, 'html'), pdf: await output(job.outputs.pdf, 'pdf') });
  }
  const title = settings.config.organization ? `Briefs · ${settings.config.organization}` : 'Briefs';
  const shown = [];
  for (const job of jobs.values()) {
    // A brief nobody recorded is read from its source: its bytes stand for what is read.
    const listing = listings.get(job.source) ?? { source: await manifest.hash(job.source) };
    shown.push({ id: job.id, source: job.source, listing, outputs: outputs.get(job.source) });
  }
  // (The code, Node's version and brief.config.yaml are in the manifest's run signature: a change to one renders the index again.)
  const key = sha256(JSON.stringify({ title, generator: settings.generator, briefs: shown }));
  if (await manifest.isIndexUpToDate(key, indexPath)) return [];

  const startedAt = Date.now();
  // Loaded only to render: a build that changed nothing never loads Handlebars or the template.
  const [{ loadTemplate }, { formatDate, languageName }] = await Promise.all([import('./template.ts'), import('./view.ts')]);
  let template: Template;
  try {
    template = await loadTemplate(settings.templatesDir, INDEX_TEMPLATE);
  } catch (error) {
    manifest.forgetIndex();
    return [await indexProblem(error)];
  }

  const bySource = jobs;
  const info = new Map<string, { edition: Edition; links: string[] }>();
  for (const job of jobs.values()) {
    const listing = listings.get(job.source) ?? (await readListing(settings, job));
    const lang = listing.lang;
    const { html, pdf } = outputs.get(job.source)!;
    info.set(job.source, {
      edition: {
        lang,
        languageName: languageName(lang),
        title: listing.title,
        date: listing.date ? { iso: listing.date, text: formatDate(listing.date, lang) } : null,
        summary: listing.summary,
        html,
        pdf,
      },
      links: listing.translations,
    });
  }
  // Editions that link to each other (either way) are one brief.
  const group = new Map<string, string>();
  const find = (source: string): string => {
    const parent = group.get(source) ?? source;
    if (parent === source) return source;
    const root = find(parent);
    group.set(source, root);
    return root;
  };
  for (const [source, { links }] of info) {
    for (const other of links) if (bySource.has(other)) group.set(find(other), find(source));
  }
  const briefs = new Map<string, BriefJob[]>();
  for (const job of jobs.values()) briefs.set(find(job.source), [...(briefs.get(find(job.source)) ?? []), job]);

  const folders = new Map<string, { editions: Edition[] }[]>();
  for (const editions of briefs.values()) {
    // English (or the first in order) first, then the other editions by language.
    editions.sort((a, b) => rank(info.get(a.source)!.edition.lang) - rank(info.get(b.source)!.edition.lang) || (a.id < b.id ? -1 : 1));
    const folder = posix.dirname(editions[0]!.id) === '.' ? TOP : `${posix.dirname(editions[0]!.id)}/`;
    folders.set(folder, [...(folders.get(folder) ?? []), { editions: editions.map((job) => info.get(job.source)!.edition) }]);
  }

  let html: string;
  try {
    html = template.render({
    title,
    count: jobs.size,
    single: jobs.size === 1,
    groups: [...folders.entries()].sort(([a], [b]) => (a === TOP ? -1 : b === TOP ? 1 : a.localeCompare(b))).map(([folder, entries]) => ({ folder, briefs: entries })),
    css: template.css.screen,
    generator: settings.generator,
    });
  } catch (error) {
    manifest.forgetIndex();
    return [await indexProblem(error)];
  }
  const previous = await readFile(indexPath, 'utf8').catch(() => undefined);
  if (previous !== html) await writeFileAtomic(indexPath, html);
  await manifest.recordIndex(key, template.files, startedAt, indexPath, sha256(html));
  return [];
}

/** The index template's error, on the template file it names; anything else is a bug. */
async function indexProblem(error: unknown): Promise<VFile> {
  const { TemplateError } = await import('./template.ts');
  if (!(error instanceof TemplateError)) throw error;
  const file = new VFile({ path: error.path });
  report(file, 'error', `${error.message} The index (output/index.html) was not written; fix ${INDEX_TEMPLATE}/ or remove the folder.`, error.code, { line: error.line, column: error.column });
  return file;
}

/** What the index shows of a brief nobody recorded yet: read from its source. */
async function readListing(settings: Settings, job: BriefJob): Promise<Listing> {
  const { readFrontMatter } = await import('./front-matter.ts');
  const file = await readSource(job.source, { maxBytes: settings.config.limits.max_bytes });
  const matter = file.messages.length === 0 ? readFrontMatter(file) : undefined;
  return {
    id: job.id,
    html: job.outputs.html,
    pdf: job.outputs.pdf,
    title: matter?.title ?? job.id,
    lang: matter?.lang ?? 'en',
    date: matter?.date ?? null,
    summary: matter?.summary ?? null,
    translations: (matter?.translations ?? []).filter((translation) => /\.md$/i.test(translation.href)).map((translation) => resolve(dirname(job.source), translation.href)),
  };
}

function rank(lang: string): number {
  return lang.startsWith('en') ? 0 : 1;
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}
