import { join, posix } from 'node:path';
import type { VFile } from 'vfile';
import { TOOL_ROOT } from '../paths.ts';
import { mergeBrand } from './brand.ts';
import { bodyPlaces } from './body-places.ts';
import type { BrowserPool } from './browser.ts';
import { checkPageLinks } from './check-page-links.ts';
import { BODY_SLOT, draftPage } from './draft-page.ts';
import type { BriefJob } from './discover.ts';
import { finish } from './finish.ts';
import { fontFaceCss, templateFaces, type ResolvedFace } from './fonts.ts';
import { readFrontMatter } from './front-matter.ts';
import { sha256 } from './manifest.ts';
import type { MarkdownPool } from './markdown-pool.ts';
import { hasErrors } from './messages.ts';
import { pageFonts } from './page-fonts.ts';
import { print, type Printed } from './print.ts';
import { readSource } from './read.ts';
import { renderBody, trustsHtml } from './render-body.ts';
import { renderPage } from './render-page.ts';
import { silenceIgnored } from './rules.ts';
import type { Settings } from './settings.ts';
import { reportTemplateWarnings, templateFor, type Template } from './template.ts';
import { timer, type Time } from './timings.ts';
import { guessToc, tocEntries } from './toc.ts';
import type { Target, TocEntry } from './view.ts';
import { writeFileAtomic } from './write.ts';

/** What a run shares between its briefs: built once, reused (watch mode keeps it for good). */
export interface RunContext {
  settings: Settings;
  /** Worker threads that render Markdown, started on first use. */
  markdown(): MarkdownPool;
  /** Templates by name, loaded on first use. */
  templates: Map<string, Promise<Template>>;
  /** Font faces by template name. */
  faces: Map<string, ResolvedFace[]>;
  /** Whether each brief's last print had a table of contents (the handout follows it). */
  tocDecisions: Map<string, boolean>;
  /** Chrome, started on first need; one for the whole run. */
  browser(): Promise<BrowserPool>;
}

/** What building one brief gave. */
export interface BriefOutcome {
  file: VFile;
  /** Output files written. */
  written: string[];
  /** SHA-256 of what was written to each output, for the manifest (the bytes themselves are not kept). */
  hashes: Record<string, string>;
  /** Files besides the source that the outputs depend on: template files, images, fonts. */
  inputs: string[];
  /** Files whose existence the outputs depend on: briefs linked to. */
  probes: string[];
  /** The checks of `npm run check` ran too. */
  checked?: boolean;
  /** Whether the PDF has a table of contents. */
  toc?: boolean;
  /** Pages of the PDF, when one was printed. */
  pages?: number;
  /** Footnotes: prints their placing took (for the benchmark), and notes printed elsewhere than on their reference's page. */
  footnotes?: { passes: number; unplaced: string[] };
  /** Milliseconds spent in each stage, for `--verbose` and the benchmark. */
  timings: Record<string, number>;
}

/**
 * Builds one brief, step by step; each step is the file named after it. Problems go on the
 * brief's VFile as messages; the first step with an error ends this brief, and nothing is written
 * for a brief with errors (the last good outputs stay in place).
 */
export async function buildBrief(job: BriefJob, context: RunContext): Promise<BriefOutcome> {
  const outcome = await buildSteps(job, context);
  silenceIgnored(outcome.file, context.settings.config.ignore ?? []);
  return outcome;
}

async function buildSteps(job: BriefJob, context: RunContext): Promise<BriefOutcome> {
  const { settings } = context;
  const timings: Record<string, number> = {};
  const time = timer(timings);

  // 1. Read the source: size limit, encoding, line endings (read.ts).
  const file = await time('read', () => readSource(job.source, { maxBytes: settings.config.limits.max_bytes }));
  const outcome: BriefOutcome = { file, written: [], hashes: {}, inputs: [], probes: [], timings };
  if (hasErrors(file)) return outcome;

  // 2. Front matter: YAML, validated against the schema (front-matter.ts).
  const matter = readFrontMatter(file);
  if (!matter || hasErrors(file)) return outcome;
  file.data.matter = matter;

  // 3. The template, loaded once per run, and its labels in the brief's language (template.ts).
  const template = await time('template', () => templateFor(context.templates, settings.templatesDir, matter.template ?? settings.config.template ?? 'policy-brief', file));
  if (!template) return outcome;
  reportTemplateWarnings(file, template);
  const labels = template.labels(matter.lang);
  file.data.labels = labels;

  // 4. The body: Markdown → HTML in a worker thread (render-body.ts, markdown.ts).
  const rendered = await time('markdown', () => renderBody(context.markdown(), job, file, matter, labels, template.chartTheme, settings));
  if (hasErrors(file)) {
    // What the failed body read (a bibliography with a syntax error, a chart's data): fixing it rebuilds the brief in watch mode.
    outcome.inputs = rendered.dependencies;
    return outcome;
  }
  file.data.headings = rendered.headings;
  file.data.keyPointsHtml = rendered.keyPointsHtml ?? undefined;
  file.data.dependencies = rendered.dependencies;
  outcome.probes = rendered.probes;
  const headings = rendered.headings;
  // Where each thing of the page was written in the source, from the body's tree (body-places.ts).
  const places = bodyPlaces(rendered.tree, file);

  // 5. The page: the template around the body (render-page.ts).
  const wantPdf = settings.formats.has('pdf');
  const url = matter.url ?? (settings.config.base_url ? new URL(`${job.id}.html`, settings.config.base_url).href : null);
  const brand = mergeBrand(settings.brand, template.brand);
  // The template's fonts and the house fonts the brand brings (fontsource packages).
  const fontSource = brand.families?.length ? { name: `${template.name}+${brand.families.map((family) => family.package).join('+')}`, fonts: [...brand.families, ...template.fonts] } : template;
  const page = (target: Target, body: string, toc: TocEntry[] | null, fonts: string): string | undefined =>
    renderPage(template, file, {
      matter,
      config: settings.config,
      labels,
      target,
      body: { html: body, keyPointsHtml: rendered.keyPointsHtml },
      toc,
      css: { ...template.css, fonts },
      outputs: { html: posix.basename(job.outputs.html), pdf: wantPdf ? posix.basename(job.outputs.pdf) : null },
      url,
      generator: settings.generator,
      brand,
    });
  // The draft: the whole page as one tree, the body's tree in its place (draft-page.ts).
  const draft = page('html', BODY_SLOT, tocEntries(headings, null), '');
  if (draft === undefined) return outcome;
  const { tree: draftTree, stylesheets } = draftPage(draft, rendered.tree);

  // 6. Ids and #links of the whole page, the template's and the body's together (check-page-links.ts).
  checkPageLinks(draftTree, file, places);

  // 7. Fonts: each face subset to the characters the handout draws with it; the print adds only
  // digits and hyphens (page-fonts.ts, fonts.ts).
  const fontCache = join(settings.cacheDir, 'fonts');
  const { faces, usage } = await time('fonts', () => pageFonts(draftTree, stylesheets, templateFaces(context.faces, fontSource, TOOL_ROOT), fontCache));
  outcome.inputs = [...template.files, ...rendered.dependencies, ...faces.map((face) => face.path), ...(settings.brand.logo ? [settings.brand.logo.path] : [])];
  // The handout's fonts: cut to exactly what it draws (a new character costs a subset), on the
  // handout's own path, not the print's.
  const wantHtml = settings.formats.has('html');
  let handoutFonts: Promise<string> | undefined;
  const fonts = (): Promise<string> => (handoutFonts ??= wantHtml ? time('fonts', () => fontFaceCss(usage, fontCache)) : Promise.resolve(''));

  // 8. The handout. It shows a contents list when the PDF has one. It is written as soon as that
  // is known, and once: beside the print when toc: says, when there is no heading to list, when
  // no PDF is made, or when the last print decided (watch mode: what an author sees soonest;
  // written again only if this print decides otherwise, in the one build where the brief crosses
  // four pages); else as soon as the first print has settled it, while Chrome prints page numbers.
  let handout: { toc: boolean; written: Promise<boolean> } | undefined;
  const writeHandout = (withToc: boolean): Promise<boolean> => {
    if (handout?.toc === withToc) return handout.written;
    const previous = handout?.written;
    const written = (async () => {
      // One write at a time: the last decision is the one that stays.
      await previous;
      if (!wantHtml) return true;
      const html = page('html', rendered.html, withToc ? tocEntries(headings, null) : null, await fonts());
      if (html === undefined) return false;
      await time('write', () => writeOutput(outcome, job.outputs.html, html));
      return true;
    })();
    // Awaited below, on every path; marked handled now in case the print fails first.
    written.catch(() => {});
    handout = { toc: withToc, written };
    return written;
  };
  const lastPrint = context.tocDecisions.get(job.source);
  const known = !wantPdf || matter.toc !== undefined || lastPrint !== undefined || tocEntries(headings, null).length === 0;
  // Written while Chrome prints: the two wait on different things (the disk, Chrome).
  const early = known ? writeHandout(guessToc(matter, lastPrint, rendered.tree, headings)) : undefined;
  if (!wantPdf) {
    await early;
    return outcome;
  }

  // 9. Print: Chrome prints the page, again until the contents' page numbers hold, once more on
  // a fresh page if Chrome fails (print.ts).
  let printed: Printed | undefined;
  try {
    const printFonts = await time('fonts', () => fontFaceCss(usage, fontCache, { stableLatin: true }));
    const printBody = rendered.printHtml ?? rendered.html;
    printed = await time('pdf', () =>
      print({
        job,
        file,
        matter,
        render: (toc) => page('pdf', printBody, toc, printFonts),
        fontsCss: printFonts,
        browser: context.browser,
        places,
        fault: settings.faults.get(job.id),
        checks: settings.check,
        // The handout is written while Chrome prints again for the contents' page numbers.
        onTocSettled: writeHandout,
        notes: matter.notes ?? settings.config.notes ?? 'footnotes',
        time,
      }),
    );
  } finally {
    // The handout's write ends before the brief does, whatever became of the print.
    await early?.catch(() => undefined);
  }
  // A template error in the handout ends the brief as it would have before printing.
  if (early && !(await early)) return outcome;
  if (!printed) return outcome;
  context.tocDecisions.set(job.source, printed.toc);
  if (!(await writeHandout(printed.toc))) return outcome;

  // 10. Finish the PDF (document information, relative links, artifacts) and write it (finish.ts).
  const finished = await time('finish', () => finish(printed.doc, matter, { id: job.id, generator: settings.generator, env: settings.env, notes: printed.footnotes?.notes }));
  outcome.pages = printed.doc.getPageCount();
  if (printed.footnotes) outcome.footnotes = { passes: printed.footnotes.passes, unplaced: printed.footnotes.unplaced };
  await time('write', () => writeOutput(outcome, job.outputs.pdf, finished));
  outcome.toc = printed.toc;

  // 11. npm run check: the checks it handed in examine what was built (brief-checks.ts).
  if (printed.examine && rendered.checkHtml !== null) {
    const marked = page('html', rendered.checkHtml, printed.toc ? tocEntries(headings, null) : null, await fonts());
    if (marked === undefined) return outcome;
    const before = file.messages.length;
    await time('check', () =>
      printed.examine!({
        file,
        browser: context.browser,
        handout: { url: `${job.id.split('/').map(encodeURIComponent).join('/')}.html`, html: marked, trusted: trustsHtml(matter, settings) },
        pdf: printed.doc,
        maxPages: matter.max_pages !== undefined ? { pages: matter.max_pages, fromBrief: true } : settings.config.max_pages !== undefined ? { pages: settings.config.max_pages, fromBrief: false } : undefined,
        faces: templateFaces(context.faces, fontSource, TOOL_ROOT),
        page: draftTree,
        places,
        stylesheets,
        cacheDir: fontCache,
      }),
    );
    for (const message of file.messages.slice(before)) message.source = 'brief-check';
    outcome.checked = true;
  }
  return outcome;
}

/** Writes one output atomically and records it, with its hash for the manifest. */
async function writeOutput(outcome: BriefOutcome, path: string, content: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, content);
  if (!outcome.written.includes(path)) outcome.written.push(path);
  outcome.hashes[path] = sha256(content);
}
