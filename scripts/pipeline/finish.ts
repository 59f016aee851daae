import { posix } from 'node:path';
import type { PDFDocument } from 'pdf-lib';
import { DOCUMENT_ORIGINS } from './browser.ts';
import { finishPdf, type PdfInfo } from './pdf-finish.ts';
import type { BriefMatter } from './schema.ts';
import { authorNames } from './view.ts';
import { stableElementIds } from './stable-element-ids.ts';
import { tagNotes, type PrintedNote } from './tag-notes.ts';

/**
 * Finishes a printed PDF for writing: its document information from the front matter (dated by
 * `date:`, else SOURCE_DATE_EPOCH, for reproducible bytes), its links made relative again, its
 * footnotes tagged as Notes (tag-notes.ts) and its named structure elements named after the
 * document alone (stable-element-ids.ts).
 */
export function finish(doc: PDFDocument, matter: BriefMatter, brief: { id: string; generator: string; env: NodeJS.ProcessEnv; notes?: PrintedNote[] }): Promise<Uint8Array> {
  if (brief.notes) tagNotes(doc, brief.notes);
  stableElementIds(doc);
  return finishPdf(doc, pdfInfo(matter, brief.generator, brief.env), (link) => relativeLink(link, brief.id));
}

function pdfInfo(matter: BriefMatter, generator: string, env: NodeJS.ProcessEnv): PdfInfo {
  const epoch = env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000) : undefined;
  const date = matter.date ? new Date(`${matter.date.length === 7 ? `${matter.date}-01` : matter.date}T00:00:00Z`) : epoch;
  return {
    title: matter.title,
    // The authors, else the organization that publishes the brief.
    author: authorNames(matter) || matter.organization || '',
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
