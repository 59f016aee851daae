import { join, posix } from 'node:path';
import type { VFile } from 'vfile';
import { DOCUMENT_ORIGINS, type BrowserPool } from './browser.ts';
import type { BriefJob } from './discover.ts';
import type { Heading } from './file-data.ts';
import { charactersByFace, parsePage, stylesheetsOf } from './font-usage.ts';
import { fontCoverage } from './font-coverage.ts';
import { fontFaceCss, resolveFaces, type ResolvedFace } from './fonts.ts';
import { readFrontMatter } from './front-matter.ts';
import type { MarkdownPool } from './markdown-pool.ts';
import { hasErrors, placeOf, report } from './messages.ts';
import { sha256 } from './manifest.ts';
import { finishPdf, openPdf, readOutline, type OutlineEntry } from './pdf-finish.ts';
import type { PDFDocument } from 'pdf-lib';
import { readSource } from './read.ts';
import type { BriefMatter } from './schema.ts';
import type { Settings } from './settings.ts';
import { TOOL_ROOT } from '../paths.ts';
import { TemplateError, UnknownTemplateError, loadTemplate, type Template } from './template.ts';
import { buildView, type Target, type TocEntry } from './view.ts';
import { writeFileAtomic } from './write.ts';
import { checkBuilt } from '../check/check-built.ts';
import { checkPageLinks } from '../check/check-content.ts';
import type { LayoutMeasure } from '../check/measure-layout.ts';
import { measureLayout } from '../check/measure-layout.ts';
import { silenceIgnored } from '../check/rules.ts';

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
  /** Milliseconds spent in each stage, for `--verbose` and the benchmark. */
  timings: Record<string, number>;
}

/** Briefs with more pages than this get a table of contents unless `toc:` says otherwise. */
const TOC_AUTO_PAGES = 4;

/**
 * Builds one brief: read → front matter → template → Markdown → HTML handout → PDF. Problems go
 * on the brief's VFile as messages; the first stage with an error ends this brief, and nothing
 * is written for a brief with errors (the last good outputs stay in place).
 */
export async function buildBrief(job: BriefJob, context: RunContext): Promise<BriefOutcome> {
  const outcome = await buildStages(job, context);
  silenceIgnored(outcome.file, context.settings.config.ignore ?? []);
  return outcome;
}

async function buildStages(job: BriefJob, context: RunContext): Promise<BriefOutcome> {
  const { settings } = context;
  const timings: Record<string, number> = {};
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - start;
    }
  };
  const outcome: BriefOutcome = { file: undefined as unknown as VFile, written: [], hashes: {}, inputs: [], probes: [], timings };

  const file = await time('read', () => readSource(job.source, { maxBytes: settings.config.limits.max_bytes }));
  outcome.file = file;
  if (hasErrors(file)) return outcome;

  const matter = readFrontMatter(file);
  if (!matter || hasErrors(file)) return outcome;
  file.data.matter = matter;

  const templateName = matter.template ?? settings.config.template ?? 'policy-brief';
  const template = await time('template', () => templateFor(context, templateName, file));
  if (!template) return outcome;
  const labels = template.labels(matter.lang);
  file.data.labels = labels;

  const wantPdf = settings.formats.has('pdf');
  const rendered = await time('markdown', () =>
    context.markdown().render({
      path: job.source,
      root: settings.root,
      value: String(file.value),
      matter,
      labels,
      trustHtml: matter.unsafe_html ?? settings.config.unsafe_html ?? false,
      allowRemote: matter.allow_remote ?? settings.config.allow_remote ?? [],
      print: wantPdf,
      check: settings.check,
    }),
  );
  for (const message of rendered.messages) {
    const place = message.line ? { start: { line: message.line, column: message.column ?? 1 }, end: message.endLine ? { line: message.endLine, column: message.endColumn ?? 1 } : undefined } : undefined;
    report(file, message.fatal ? 'error' : 'warning', message.reason, message.ruleId, place);
  }
  if (hasErrors(file)) return outcome;
  file.data.headings = rendered.headings;
  file.data.keyPointsHtml = rendered.keyPointsHtml ?? undefined;
  file.data.dependencies = rendered.dependencies;
  outcome.probes = rendered.probes;
  const bodyHtml = rendered.html;

  const url = matter.url ?? (settings.config.base_url ? new URL(`${job.id}.html`, settings.config.base_url).href : null);
  const common = {
    matter,
    config: settings.config,
    labels,
    outputs: { html: posix.basename(job.outputs.html), pdf: wantPdf ? posix.basename(job.outputs.pdf) : null },
    url,
    generator: settings.generator,
  };
  const css = { ...template.css, fonts: '' };
  const render = (target: Target, body: string, toc: TocEntry[] | null, fonts: string): string | undefined => {
    try {
      return template.render(buildView({ ...common, target, toc, css: { ...css, fonts }, body: { html: body, keyPointsHtml: file.data.keyPointsHtml ?? null } }));
    } catch (error) {
      reportTemplateError(file, error);
      return undefined;
    }
  };

  // Fonts: subset to the characters the handout shows (the print adds only digits and hyphens).
  const draft = render('html', bodyHtml, tocEntries(file.data.headings ?? [], null), '');
  if (draft === undefined) return outcome;
  const faces = facesFor(context, template, draft);
  outcome.inputs = [...template.files, ...rendered.dependencies, ...faces.map((face) => face.path)];
  const page = parsePage(draft);
  // The whole page's ids and #links: the template's and the body's together.
  checkPageLinks(page, file);
  // The draft's own <style> blocks: the template's CSS and its page rules (running heads).
  const stylesheets = stylesheetsOf(draft);
  const fontCache = join(settings.cacheDir, 'fonts');
  const usage = await time('fonts', async () => {
    const coverage = new Map(await Promise.all(faces.map(async (face) => [face, await fontCoverage(face.path, fontCache)] as const)));
    return charactersByFace(page, stylesheets, faces, (face, char) => coverage.get(face)?.has(char.codePointAt(0)!) ?? true);
  });
  const fonts = settings.formats.has('html') ? await time('fonts', () => fontFaceCss(usage, fontCache)) : '';

  // The handout shows a contents list when the PDF has one. It is written first (it is what an
  // author editing in watch mode sees soonest), so it goes by the last print's decision or, before
  // any print, by an estimate; if the print then decides otherwise, it is written again.
  const headings = file.data.headings ?? [];
  const writeHtml = async (withToc: boolean) => {
    const html = render('html', bodyHtml, withToc ? tocEntries(headings, null) : null, fonts);
    if (html === undefined) return false;
    await time('write', () => writeFileAtomic(job.outputs.html, html));
    if (!outcome.written.includes(job.outputs.html)) outcome.written.push(job.outputs.html);
    outcome.hashes[job.outputs.html] = sha256(html);
    return true;
  };
  const guess = matter.toc ?? context.tocDecisions.get(job.source) ?? estimatePages(bodyHtml, matter.lang) > TOC_AUTO_PAGES;
  const htmlToc = guess && tocEntries(headings, null).length > 0;
  if (settings.formats.has('html') && !(await writeHtml(htmlToc))) return outcome;

  if (wantPdf) {
    const printFonts = await time('fonts', () => fontFaceCss(usage, fontCache, { stableLatin: true }));
    const printBody = rendered.printHtml ?? bodyHtml;
    const printed = await time('pdf', () => printWithRetry(job, context, file, matter, (toc) => render('pdf', printBody, toc, printFonts), printFonts, time));
    if (!printed) return outcome;
    context.tocDecisions.set(job.source, printed.toc);
    if (settings.formats.has('html') && printed.toc !== htmlToc && !(await writeHtml(printed.toc))) return outcome;
    const finished = await time('finish', () =>
      finishPdf(printed.doc, pdfInfo(matter, common.generator, settings.env), (link) => relativeLink(link, job.id)),
    );
    outcome.pages = printed.doc.getPageCount();
    await time('write', () => writeFileAtomic(job.outputs.pdf, finished));
    outcome.written.push(job.outputs.pdf);
    outcome.hashes[job.outputs.pdf] = sha256(finished);
    outcome.toc = printed.toc;
    if (settings.check && printed.layout && rendered.checkHtml !== null) {
      const handout = render('html', rendered.checkHtml, printed.toc ? tocEntries(headings, null) : null, fonts);
      if (handout === undefined) return outcome;
      const before = file.messages.length;
      await time('check', () =>
        checkBuilt(file, {
          browser: context.browser,
          handout: { url: `${job.id.split('/').map(encodeURIComponent).join('/')}.html`, html: handout },
          pdf: printed.doc,
          layout: printed.layout!,
          maxPages: matter.max_pages !== undefined ? { pages: matter.max_pages, fromBrief: true } : settings.config.max_pages !== undefined ? { pages: settings.config.max_pages, fromBrief: false } : undefined,
          faces: allFaces(context, template),
          page,
          stylesheets,
          cacheDir: fontCache,
        }),
      );
      for (const message of file.messages.slice(before)) message.source = 'brief-check';
      outcome.checked = true;
    }
  }
  return outcome;
}

/** A print: the PDF, whether it has a table of contents, and (when checking) its measured layout. */
interface Printed {
  doc: PDFDocument;
  toc: boolean;
  layout?: LayoutMeasure;
}

/**
 * Prints, and if Chrome fails at it (the page crashed or hung past its timeout, Chrome died),
 * prints once more on a fresh page (in a fresh Chrome if need be): one bad moment of Chrome's
 * does not lose a brief, and a brief that breaks Chrome every time fails with the reason.
 */
async function printWithRetry(...args: Parameters<typeof printWithToc> extends [...infer Head, number] ? Head : never): Promise<Printed | undefined> {
  try {
    return await printWithToc(...args, 1);
  } catch (error) {
    if (!isChromeFailure(error)) throw error;
    const file = args[2];
    report(file, 'warning', `Chrome failed while printing (${describeFailure(error)}); printed again on a fresh page.`, 'print-retried');
    try {
      return await printWithToc(...args, 2);
    } catch (again) {
      if (!isChromeFailure(again)) throw again;
      report(file, 'error', `Chrome failed twice while printing this brief (${describeFailure(again)}). If it happens again, look for what in this brief makes Chrome crash or hang.`, 'print-failed');
      return undefined;
    }
  }
}

/** A failure of Chrome's, not of the brief or of brief: a crash, a hang, a lost connection. */
function isChromeFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return ['TimeoutError', 'TargetCloseError', 'ProtocolError', 'ConnectionClosedError'].includes(error.name) || /Target closed|Session closed|Page crashed|Protocol error|detached|Connection closed|timed out|disconnected|net::ERR_(ABORTED|FAILED)/i.test(error.message);
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (error instanceof Error && (error.name === 'TimeoutError' || /timed out|Timeout/i.test(message))) return 'no answer within limits.render_timeout_ms';
  if (/detached Frame|Target closed|Session closed|Connection closed|disconnected|net::ERR_ABORTED/i.test(message)) return 'Chrome closed unexpectedly';
  return message.length > 120 ? `${message.slice(0, 117)}…` : message;
}

/**
 * Prints the brief, with a table of contents when asked (or, by default, when the PDF runs past
 * four pages). Chromium has no target-counter(), so the page numbers come from the printed PDF's
 * outline: print, read where each heading landed, print again with those numbers, and repeat
 * until the numbers hold (twice at most in practice).
 */
async function printWithToc(
  job: BriefJob,
  context: RunContext,
  file: VFile,
  matter: BriefMatter,
  render: (toc: TocEntry[] | null) => string | undefined,
  fontsCss: string,
  time: <T>(stage: string, work: () => Promise<T>) => Promise<T>,
  attempt: number,
): Promise<Printed | undefined> {
  const headings = file.data.headings ?? [];
  const browser = await context.browser();
  const path = `${job.id.split('/').map(encodeURIComponent).join('/')}.html`;
  return browser.withPage(async (page) => {
    const documentUrl = `${page.origin}${path}`;
    const print = async (toc: TocEntry[] | null): Promise<{ doc: PDFDocument } | undefined> => {
      const html = render(toc);
      if (html === undefined) return undefined;
      await injectFault(context.settings.faults.get(job.id), attempt, page.page, browser);
      await time('pdf-load', () => page.load(documentUrl, html, fontsCss));
      const bytes = await time('pdf-print', () => page.print());
      return { doc: await time('pdf-parse', () => openPdf(bytes)) };
    };
    const entries = tocEntries(headings, 'unknown');
    let toc = matter.toc === true && entries.length > 0 ? entries : null;
    let printed = await print(toc);
    if (printed && !toc && matter.toc === undefined && printed.doc.getPageCount() > TOC_AUTO_PAGES && entries.length > 0) {
      toc = entries;
      printed = await print(toc);
    }
    for (let attempt = 0; printed && toc && attempt < 4; attempt++) {
      const pages = headingPages(headings, readOutline(printed.doc));
      const next = tocEntries(headings, pages);
      if (next.every((entry, index) => entry.page === toc![index]!.page)) break;
      toc = next;
      printed = await print(toc);
    }
    for (const blocked of page.blocked) {
      report(file, 'warning', `Blocked a request for ${blocked.url} (${blocked.resourceType}): briefs load nothing from outside.`, 'blocked-request', placeOf(file, blocked.url));
    }
    for (const error of page.pageErrors) report(file, 'warning', `The page reported an error: ${error}`, 'page-error');
    if (!printed) return undefined;
    // npm run check: measure the layout just printed, while the page still shows it.
    const layout = context.settings.check ? await time('check', () => measureLayout(page.page, printed!.doc.getPage(0).getSize())) : undefined;
    return { doc: printed.doc, toc: toc !== null, layout };
  });
}

/**
 * Test seam (BRIEF_FAULTS, see settings.ts): makes Chrome fail on purpose for one brief, the way
 * it fails in the wild, so the retry and the reporting can be tested with a real Chrome.
 */
async function injectFault(fault: string | undefined, attempt: number, page: import('puppeteer').Page, browser: BrowserPool): Promise<void> {
  if (!fault) return;
  if (fault === 'crash-page-always' || (fault === 'crash-page' && attempt === 1)) {
    // Page.crash never answers (its renderer is gone): do not wait for it.
    const session = await page.createCDPSession();
    void session.send('Page.crash').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
  } else if (fault === 'kill-chrome' && attempt === 1 && browser.pid) {
    process.kill(browser.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
  } else if (fault === 'hang-always') {
    // The renderer's only thread spins until the page's timeout gives up on it.
    await page.evaluate('for (;;) {}').catch(() => undefined);
  }
}

/**
 * Contents entries for the body's level-2 and level-3 headings. `pages`: none for the handout,
 * 'unknown' for a first print (a placeholder of the same width as a real number), or the pages
 * read from a printed outline.
 */
function tocEntries(headings: Heading[], pages: Map<string, number> | 'unknown' | null): TocEntry[] {
  const pageOf = (id: string) => (pages === null ? null : pages === 'unknown' ? '0' : String(pages.get(id) ?? ''));
  return headings
    .filter((heading) => heading.depth >= 2 && heading.depth <= 3 && heading.id)
    .map((heading) => ({ id: heading.id, text: heading.text, depth: heading.depth, page: pageOf(heading.id) }));
}

/**
 * Matches the body's headings to the PDF outline (which also lists the template's headings) by
 * text, in order, giving each heading id the page it printed on.
 */
export function headingPages(headings: Heading[], outline: OutlineEntry[]): Map<string, number> {
  const pages = new Map<string, number>();
  const normalize = (text: string) => text.replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim();
  let cursor = 0;
  for (const heading of headings) {
    for (let index = cursor; index < outline.length; index++) {
      if (normalize(outline[index]!.title) === normalize(heading.text)) {
        pages.set(heading.id, outline[index]!.page);
        cursor = index + 1;
        break;
      }
    }
  }
  return pages;
}

/**
 * A first guess at the printed length, before anything is printed: about 600 words to a page
 * (the first page holds less), or 1,100 characters of Japanese or Chinese.
 */
export function estimatePages(html: string, lang: string): number {
  const text = html.replace(/<[^>]*>/g, ' ');
  if (/^(ja|zh)/i.test(lang)) return 1 + Math.max(0, text.replace(/\s/g, '').length - 500) / 1100;
  return 1 + Math.max(0, text.split(/\s+/).filter(Boolean).length - 250) / 600;
}

function pdfInfo(matter: BriefMatter, generator: string, env: NodeJS.ProcessEnv) {
  const epoch = env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000) : undefined;
  const date = matter.date ? new Date(`${matter.date.length === 7 ? `${matter.date}-01` : matter.date}T00:00:00Z`) : epoch;
  return {
    title: matter.title,
    author: matter.author ?? matter.organization ?? '',
    subject: matter.summary ?? '',
    keywords: matter.keywords,
    lang: matter.lang,
    date,
    creator: generator,
  };
}

/** Links Chrome made absolute against the page's stand-in address become relative again. */
function relativeLink(link: string, id: string): string | undefined {
  if (!DOCUMENT_ORIGINS.test(link)) return undefined;
  const target = new URL(link);
  const path = decodeURIComponent(target.pathname.slice(1));
  const relativePath = posix.relative(posix.dirname(id), path) || posix.basename(path);
  return relativePath + target.hash;
}

async function templateFor(context: RunContext, name: string, file: VFile): Promise<Template | undefined> {
  let loading = context.templates.get(name);
  if (!loading) {
    loading = loadTemplate(context.settings.templatesDir, name);
    context.templates.set(name, loading);
  }
  try {
    return await loading;
  } catch (error) {
    context.templates.delete(name);
    if (error instanceof UnknownTemplateError) {
      const place = file.data.matter?.template ? placeOf(file, `template: ${file.data.matter.template}`) : undefined;
      report(file, 'error', error.message, error.code, place);
      return undefined;
    }
    reportTemplateError(file, error);
    return undefined;
  }
}

function facesFor(context: RunContext, template: Template, html: string): ResolvedFace[] {
  const hasCode = /<(code|pre|kbd|samp)[\s>]/.test(html);
  return allFaces(context, template).filter((face) => face.onlyFor !== 'code' || hasCode);
}

/** Every face the template bundles. */
function allFaces(context: RunContext, template: Template): ResolvedFace[] {
  let faces = context.faces.get(template.name);
  if (!faces) {
    faces = resolveFaces(template.fonts, TOOL_ROOT);
    context.faces.set(template.name, faces);
  }
  return faces;
}

/** A template's own error, reported on the brief with the template's file, line and column. */
function reportTemplateError(file: VFile, error: unknown): void {
  if (!(error instanceof TemplateError)) throw error;
  const message = report(file, 'error', error.message, error.code, { line: error.line, column: error.column });
  message.file = error.path;
}
