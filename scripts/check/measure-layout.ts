import type { Page } from 'puppeteer';
import { readPageBox } from '../pipeline/page-box.ts';

/** A place in the brief's source as the print page marks it (data-brief-line="line:column"), or null for the template's own elements. */
export type SourceMark = string | null;

/** Something wider than the page box. */
export interface Overflow {
  mark: SourceMark;
  /** table, code, image, link or text. */
  kind: 'table' | 'code' | 'image' | 'link' | 'text';
  /** How far past the right margin it reaches, in CSS pixels. */
  by: number;
  /** The start of its text, to name it. */
  text: string;
}

/** A heading, table row or image of the printed document, in document order. */
export interface Block {
  mark: SourceMark;
  /** Height in CSS pixels. */
  height: number;
  text: string;
  /** Images: their alternative text. Rows: whether it is a header row (repeated on each page). */
  alt?: string;
  header?: boolean;
}

/** What Chromium's layout of the printed document shows. */
export interface LayoutMeasure {
  /** The page's content box (inside the @page margins), in CSS pixels. */
  contentWidth: number;
  contentHeight: number;
  overflows: Overflow[];
  headings: Block[];
  rows: Block[];
  images: Block[];
  /** Footnote references in document order: their id, the id of the note each points to, their place and number. */
  refs: { id: string; note: string; mark: SourceMark; label: string }[];
}

/**
 * Lays the printed document out at the width of its page box, with print styles, and measures
 * it: what sticks out past the right margin, and the headings, table rows and images in document
 * order (to put the PDF's structure tree back on source lines). Chromium lays a print out at the
 * width of the page's content box, so this is the printed layout, less the page breaks. The page
 * is put back as it was.
 */
export async function measureLayout(page: Page, pageSize: { width: number; height: number }): Promise<LayoutMeasure> {
  // Points to CSS pixels.
  const pageWidth = (pageSize.width * 96) / 72;
  const pageHeight = (pageSize.height * 96) / 72;
  const margins = (await page.evaluate(readPageBox)).margins.other;
  const contentWidth = pageWidth - margins.left - margins.right;
  const contentHeight = pageHeight - margins.top - margins.bottom;
  const viewport = page.viewport();
  await page.emulateMediaType('print');
  await page.setViewport({ width: Math.max(1, Math.floor(contentWidth)), height: Math.max(1, Math.floor(contentHeight)) });
  try {
    const measured = await page.evaluate(measureDocument, Math.floor(contentWidth));
    return { contentWidth, contentHeight, ...measured };
  } finally {
    await page.emulateMediaType();
    if (viewport) await page.setViewport(viewport);
  }
}


/** Measures the laid-out document (in the page). */
function measureDocument(width: number): Omit<LayoutMeasure, 'contentWidth' | 'contentHeight'> {
  const markOf = (element: Element): string | null => element.closest('[data-brief-line]')?.getAttribute('data-brief-line') ?? null;
  const textOf = (element: Element): string => (element.textContent ?? '').replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim().slice(0, 60);
  const rendered = (element: Element) => element.getClientRects().length > 0;
  const tolerance = 1;

  // Elements reaching past the right margin (or the left edge), or whose content does.
  const candidates = new Map<Element, number>();
  for (const element of Array.from(document.body.querySelectorAll('*'))) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    let right = box.right;
    if (element instanceof HTMLElement && element.clientWidth > 0 && element.scrollWidth > element.clientWidth + tolerance) {
      right = Math.max(right, box.left + element.scrollWidth);
    }
    if (right > width + tolerance || box.left < -tolerance) candidates.set(element, Math.max(right - width, -box.left));
  }
  // The innermost of them explain the rest; each is reported at the table, code block or image it belongs to.
  const overflows = new Map<Element, Overflow>();
  for (const [element, by] of candidates) {
    if (Array.from(element.querySelectorAll('*')).some((inner) => candidates.has(inner))) continue;
    const target = element.closest('table, pre, img, svg, video, iframe') ?? element.closest('a') ?? element;
    const tag = target.tagName.toLowerCase();
    const kind: Overflow['kind'] = tag === 'table' ? 'table' : tag === 'pre' || tag === 'code' ? 'code' : tag === 'img' || tag === 'svg' || tag === 'video' ? 'image' : tag === 'a' ? 'link' : 'text';
    const previous = overflows.get(target);
    const text = kind === 'link' ? (target.getAttribute('href') ?? textOf(target)).slice(0, 60) : kind === 'image' ? (target.getAttribute('alt') ?? '') : textOf(target);
    overflows.set(target, { mark: markOf(target), kind, by: Math.round(Math.max(by, previous?.by ?? 0)), text });
  }

  const block = (element: Element): Block => ({ mark: markOf(element), height: element.getBoundingClientRect().height, text: textOf(element) });
  return {
    overflows: [...overflows.values()],
    headings: Array.from(document.body.querySelectorAll('h1, h2, h3, h4, h5, h6')).filter(rendered).map(block),
    rows: Array.from(document.body.querySelectorAll('tr'))
      .filter(rendered)
      .map((row) => ({ ...block(row), header: row.parentElement?.tagName === 'THEAD' || Array.from(row.children).every((cell) => cell.tagName === 'TH') })),
    images: Array.from(document.body.querySelectorAll('img')).filter(rendered).map((image) => ({ ...block(image), alt: image.getAttribute('alt') ?? '' })),
    refs: Array.from(document.body.querySelectorAll('a[data-footnote-ref]')).map((ref) => ({ id: ref.id, note: decodeURIComponent((ref.getAttribute('href') ?? '').slice(1)), mark: markOf(ref), label: textOf(ref) })),
  };
}
