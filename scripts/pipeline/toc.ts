import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import type { Heading } from './file-data.ts';
import type { OutlineEntry } from './pdf-finish.ts';
import type { BriefMatter } from './schema.ts';
import type { TocEntry } from './view.ts';

/** Briefs with more pages than this get a table of contents unless `toc:` says otherwise. */
export const TOC_AUTO_PAGES = 4;

/**
 * Contents entries for the body's level-2 and level-3 headings. `pages`: none for the handout,
 * 'unknown' for a first print (a placeholder of the same width as a real number), or the pages
 * read from a printed outline.
 */
export function tocEntries(headings: Heading[], pages: Map<string, number> | 'unknown' | null): TocEntry[] {
  const pageOf = (id: string) => (pages === null ? null : pages === 'unknown' ? '0' : String(pages.get(id) ?? ''));
  return headings
    .filter((heading) => heading.depth >= 2 && heading.depth <= 3 && heading.id)
    .map((heading) => ({ id: heading.id, text: heading.text, depth: heading.depth, page: pageOf(heading.id) }));
}

/**
 * Whether the handout shows a contents list when no print settles it: as `toc:` says, else as
 * the last print decided, else by an estimate of the printed length of the body.
 */
export function guessToc(matter: BriefMatter, lastPrint: boolean | undefined, body: Root, headings: Heading[]): boolean {
  const guess = matter.toc ?? lastPrint ?? estimatePages(body, matter.lang) > TOC_AUTO_PAGES;
  return guess && tocEntries(headings, null).length > 0;
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
 * A first guess at the printed length of a body, before anything is printed: about 600 words to
 * a page (the first page holds less), or 1,100 characters of Japanese or Chinese.
 */
export function estimatePages(body: Root, lang: string): number {
  const parts: string[] = [];
  visit(body, 'text', (node) => {
    parts.push(node.value);
  });
  const text = parts.join(' ');
  if (/^(ja|zh)/i.test(lang)) return 1 + Math.max(0, text.replace(/\s/g, '').length - 500) / 1100;
  return 1 + Math.max(0, text.split(/\s+/).filter(Boolean).length - 250) / 600;
}
