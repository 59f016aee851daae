import type { PDFDocument } from 'pdf-lib';
import { BriefError } from '../errors.ts';
import type { VFile } from 'vfile';
import type { BodyPlaces } from './body-places.ts';
import type { BriefChecks, BuiltBrief } from './brief-checks.ts';
import type { BrowserPool } from './browser.ts';
import type { BriefJob } from './discover.ts';
import { injectFault } from './faults.ts';
import { FootnoteLayout, type FootnoteReport } from './lay-out-footnotes.ts';
import { report } from './messages.ts';
import { openPdf, readOutline } from './pdf-finish.ts';
import type { BriefMatter } from './schema.ts';
import type { Time } from './timings.ts';
import { TOC_AUTO_PAGES, headingPages, tocEntries } from './toc.ts';
import type { TocEntry } from './view.ts';

/** One brief to print, and what printing it may use. */
export interface PrintRequest {
  job: BriefJob;
  file: VFile;
  matter: BriefMatter;
  /** The page to print with this table of contents (or none); undefined after a template error, reported. */
  render: (toc: TocEntry[] | null) => string | undefined;
  /** The @font-face rules of the print's subset fonts, served beside the page. */
  fontsCss: string;
  browser: () => Promise<BrowserPool>;
  /** Where things of the page were written: a blocked request is reported at the element that made it. */
  places: BodyPlaces;
  /** A fault to inject (test seam, settings.faults). */
  fault: string | undefined;
  /** The checks of `npm run check`, when checking. */
  checks: BriefChecks | undefined;
  /** Told whether the PDF has a table of contents as soon as that is settled (before its page numbers are). */
  onTocSettled?: (toc: boolean) => Promise<unknown>;
  /** Where notes print: at the foot of their pages (placed by lay-out-footnotes.ts) or at the end. */
  notes: 'footnotes' | 'endnotes';
  time: Time;
}

/** A print: the PDF, whether it has a table of contents, and (when checking) the examination to run on it. */
export interface Printed {
  doc: PDFDocument;
  toc: boolean;
  examine?: (brief: BuiltBrief) => Promise<void>;
  /** Footnotes: the prints their placing took, and notes that did not print on their reference's page. */
  footnotes?: FootnoteReport;
}

/**
 * Prints, and if Chrome fails at it (the page crashed or hung past its timeout, Chrome died),
 * prints once more on a fresh page (in a fresh Chrome if need be): one bad moment of Chrome's
 * does not lose a brief, and a brief that breaks Chrome every time fails with the reason.
 */
export async function print(request: PrintRequest): Promise<Printed | undefined> {
  try {
    return await printWithToc(request, 1);
  } catch (error) {
    if (!isChromeFailure(error)) throw error;
    report(request.file, 'warning', `Chrome failed while printing (${describeFailure(error)}); printed again on a fresh page.`, 'print-retried');
    try {
      return await printWithToc(request, 2);
    } catch (again) {
      if (!isChromeFailure(again)) throw again;
      report(request.file, 'error', `Chrome failed twice while printing this brief (${describeFailure(again)}). If it happens again, look for what in this brief makes Chrome crash or hang.`, 'print-failed');
      return undefined;
    }
  }
}

/**
 * Prints the brief, with a table of contents when asked (or, by default, when the PDF runs past
 * four pages). Chromium has no target-counter(), so the page numbers come from the printed PDF's
 * outline: print, read where each heading landed, print again with those numbers, and repeat
 * until the numbers hold (twice at most in practice).
 */
async function printWithToc(request: PrintRequest, attempt: number): Promise<Printed | undefined> {
  const { job, file, matter, render, time } = request;
  // With footnotes, the notes list under its heading is gone from the print (and its contents).
  const headings = (file.data.headings ?? []).filter((heading) => request.notes === 'endnotes' || heading.id !== 'footnote-label');
  const browser = await request.browser();
  const path = `${job.id.split('/').map(encodeURIComponent).join('/')}.html`;
  return browser.withPage(async (page) => {
    const documentUrl = `${page.origin}${path}`;
    const printPdf = async () => {
      const bytes = await time('pdf-print', () => page.print());
      return time('pdf-parse', () => openPdf(bytes));
    };
    // Kept across the prints of this brief: a reload for the contents' page numbers reuses its plan.
    const footnotes = request.notes === 'footnotes' ? new FootnoteLayout(page.page, printPdf) : undefined;
    const printOnce = async (toc: TocEntry[] | null): Promise<{ doc: PDFDocument } | undefined> => {
      const html = render(toc);
      if (html === undefined) return undefined;
      await injectFault(request.fault, attempt, page.page, browser);
      await time('pdf-load', () => page.load(documentUrl, html, request.fontsCss));
      if (footnotes) return { doc: await time('footnotes', () => footnotes.layOut()) };
      return { doc: await printPdf() };
    };
    const entries = tocEntries(headings, 'unknown');
    let toc = matter.toc === true && entries.length > 0 ? entries : null;
    let printed = await printOnce(toc);
    if (printed && !toc && matter.toc === undefined && printed.doc.getPageCount() > TOC_AUTO_PAGES && entries.length > 0) {
      toc = entries;
      printed = await printOnce(toc);
    }
    const settled = printed ? request.onTocSettled?.(toc !== null) : undefined;
    // Awaited below; marked handled now in case printing fails first.
    settled?.catch(() => {});
    for (let round = 0; printed && toc && round < 4; round++) {
      const pages = headingPages(headings, readOutline(printed.doc));
      const next = tocEntries(headings, pages);
      if (next.every((entry, index) => entry.page === toc![index]!.page)) break;
      toc = next;
      printed = await printOnce(toc);
    }
    for (const blocked of page.blocked) {
      report(file, 'warning', `Blocked a request for ${blocked.url} (${blocked.resourceType}): briefs load nothing from outside.`, 'blocked-request', request.places.url(blocked.url, documentUrl));
    }
    for (const error of page.pageErrors) report(file, 'warning', `The page reported an error: ${error}`, 'page-error');
    await settled;
    if (!printed) return undefined;
    const { doc } = printed;
    // npm run check: measure the layout just printed, while the page still shows it.
    const examine = request.checks ? await time('check', () => request.checks!.afterPrint(page.page, doc)) : undefined;
    return { doc, toc: toc !== null, examine, ...(footnotes ? { footnotes: footnotes.report } : {}) };
  });
}

/** A failure of Chrome's, not of the brief or of brief: a crash, a hang, a lost connection. */
export function isChromeFailure(error: unknown): boolean {
  // Our own errors say what they are: Chrome that would not start is the machine's problem (said
  // once for the run), an interrupted run is no failure of Chrome's; neither is printed again.
  if (!(error instanceof Error) || error instanceof BriefError) return false;
  return ['TimeoutError', 'TargetCloseError', 'ProtocolError', 'ConnectionClosedError'].includes(error.name) || /Target closed|Session closed|Page crashed|Protocol error|detached|Connection closed|timed out|disconnected|net::ERR_(ABORTED|FAILED)/i.test(error.message);
}

/** Chrome's failure in a few words a writer can act on. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (error instanceof Error && (error.name === 'TimeoutError' || /timed out|Timeout/i.test(message))) return 'no answer within limits.render_timeout_ms';
  if (/detached Frame|Target closed|Session closed|Connection closed|disconnected|net::ERR_ABORTED/i.test(message)) return 'Chrome closed unexpectedly';
  return message.length > 120 ? `${message.slice(0, 117)}…` : message;
}
