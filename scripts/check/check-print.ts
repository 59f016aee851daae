import type { VFile } from 'vfile';
import type { BodyPlaces } from '../pipeline/body-places.ts';
import { report, type Point } from '../pipeline/messages.ts';
import type { Block, LayoutMeasure, SourceMark } from './measure-layout.ts';
import type { PrintedLinks } from '../pipeline/read-destinations.ts';
import { flatten, pagesUnder, type PdfFacts, type StructElement } from './read-pdf.ts';

/** What the checks of a printed brief look at. */
export interface PrintEvidence {
  facts: PdfFacts;
  /** Chromium's layout of the printed document. */
  layout: LayoutMeasure;
  /** The page budget, and whether the brief (not brief.config.yaml) set it. */
  maxPages: { pages: number; fromBrief: boolean } | undefined;
  /** PostScript names of the template's bundled fonts. */
  bundledFonts: Set<string>;
  /** Characters the page draws that no bundled font has. */
  missing: string[];
  /** Where things of the page were written in the source. */
  places: BodyPlaces;
  /** The PDF's in-document links and where their targets printed. */
  links: PrintedLinks;
}

const INCH = 96;

/**
 * The layout and accessibility rules over a printed brief: page budget, overflow, stranded
 * headings, split rows and images, fonts, glyphs, and the PDF's tags, title, language, figure
 * texts, heading order and artifacts. Each problem is a message on the brief with the place in
 * the source it comes from (reported as a warning here; `npm run check` gives each rule its
 * severity).
 */
export function checkPrint(file: VFile, evidence: PrintEvidence): void {
  checkPageBudget(file, evidence);
  checkOverflow(file, evidence.layout);
  checkBreaks(file, evidence);
  checkFonts(file, evidence);
  checkNotes(file, evidence);
  checkPdfAccessibility(file, evidence);
}

function checkPageBudget(file: VFile, { facts, maxPages }: PrintEvidence): void {
  if (!maxPages || facts.pages <= maxPages.pages) return;
  const over = facts.pages - maxPages.pages;
  const where = maxPages.fromBrief ? '' : ' set in brief.config.yaml';
  report(file, 'warning', `The PDF has ${facts.pages} pages, ${over} over the budget of ${maxPages.pages} (max_pages${where}): cut ${over === 1 ? 'a page' : `${over} pages`} of text, or raise the budget.`, 'page-budget', maxPages.fromBrief ? (file.data.frontMatter?.locateKey(['max_pages']).start ?? { line: 1, column: 1 }) : { line: 1, column: 1 });
}

function checkOverflow(file: VFile, layout: LayoutMeasure): void {
  for (const overflow of layout.overflows) {
    const amount = `${inches(overflow.by)} (${overflow.by} px)`;
    const what =
      overflow.kind === 'table'
        ? `A table is ${amount} wider than the page and is cut off at the right edge: give it fewer columns, or shorter words and numbers in its cells`
        : overflow.kind === 'code'
          ? `Code runs ${amount} past the right margin and is cut off: break its long lines`
          : overflow.kind === 'image'
            ? `An image${overflow.text ? ` ("${overflow.text}")` : ''} is ${amount} wider than the page and is cut off`
            : overflow.kind === 'link'
              ? `The link "${overflow.text}" runs ${amount} past the right margin and is cut off: give it a short text, [text](${overflow.text})`
              : `Text "${overflow.text}" runs ${amount} past the right margin and is cut off`;
    report(file, 'warning', `${what}${overflow.mark ? '' : ' (in the template)'}.`, 'overflow', pointOf(overflow.mark));
  }
}

/**
 * Page breaks, read from the PDF's structure tree (which records the page of every piece of
 * content): a heading whose section starts on a later page, a table row or image on two pages.
 * Chromium's tree lists headings, rows and images in document order, so each is matched to the
 * element the layout measured at the same rank, for its place in the source.
 */
function checkBreaks(file: VFile, { facts, layout }: PrintEvidence): void {
  if (!facts.structure) return;
  const elements = flatten(facts.structure);
  const pageHeight = inches(layout.contentHeight);
  // A heading whose content is the last tagged content painted on its page, with more to come.
  const lastPage = Math.max(0, ...[...facts.contentPerPage].filter(([, count]) => count > 0).map(([page]) => page));
  const headings = elements.filter((element) => /^H[1-6]$/.test(element.role));
  headings.forEach((heading, rank) => {
    const content = allContent(heading);
    const last = content.reduce<{ page: number; rank: number } | undefined>((latest, item) => (!latest || item.page > latest.page || (item.page === latest.page && item.rank > latest.rank) ? item : latest), undefined);
    if (!last || last.page >= lastPage || last.rank < (facts.contentPerPage.get(last.page) ?? 0) - 1) return;
    let nextPage = last.page + 1;
    while (nextPage < lastPage && (facts.contentPerPage.get(nextPage) ?? 0) === 0) nextPage++;
    const measured = matched(layout.headings, headings.length, rank);
    const text = measured?.text ?? 'A heading';
    report(file, 'warning', `Heading "${text}" is the last thing on page ${last.page}; its text starts on page ${nextPage}. Keep it with its text (shorten what comes before, or break the page earlier).`, 'stranded-heading', headingPlace(file, measured));
  });

  const rows = elements.filter((element) => element.role === 'TR');
  rows.forEach((row, rank) => {
    const pages = pagesUnder(row);
    // A header row is repeated at the top of every page its table runs onto.
    if (pages.length < 2 || (row.children.length > 0 && row.children.every((cell) => cell.role === 'TH'))) return;
    const measured = matched(layout.rows, rows.length, rank);
    if (measured?.header) return;
    const tall = measured && measured.height > layout.contentHeight ? ` It is ${inches(measured.height)} tall; a page holds ${pageHeight}.` : '';
    report(file, 'warning', `A table row is split across pages ${pages[0]} and ${pages.at(-1)}.${tall}`, 'split-block', pointOf(measured?.mark ?? null));
  });

  // Images: a tagged figure on two pages, and any image taller than a page (those without
  // alternative text are decorative, so not in the structure).
  const figures = elements.filter((element) => element.role === 'Figure' && !element.children.some((child) => child.role === 'Figure'));
  const unmatched = [...layout.images];
  const reported = new Set<Block>();
  for (const figure of figures) {
    const at = unmatched.findIndex((image) => image.alt === (figure.alt ?? ''));
    const measured = at === -1 ? undefined : unmatched.splice(at, 1)[0];
    const pages = pagesUnder(figure);
    if (pages.length < 2) continue;
    if (measured) reported.add(measured);
    const tall = measured && measured.height > layout.contentHeight ? ` It is ${inches(measured.height)} tall; a page holds ${pageHeight}: make it smaller.` : '';
    report(file, 'warning', `Image${figure.alt ? ` "${figure.alt}"` : ''} is split across pages ${pages[0]} and ${pages.at(-1)}.${tall}`, 'split-block', pointOf(measured?.mark ?? null));
  }
  for (const image of layout.images) {
    if (reported.has(image) || image.height <= layout.contentHeight + 1) continue;
    report(file, 'warning', `Image${image.alt ? ` "${image.alt}"` : ''} is taller than a page (${inches(image.height)}; a page holds ${pageHeight}), so it is split across pages: make it smaller.`, 'split-block', pointOf(image.mark));
  }
}

/**
 * Footnotes not printed at the foot of the page that cites them: the reference links to the note
 * and the note's number links back, so the PDF's own links say where each printed; a note that
 * fits no page prints in a list under a "Notes" heading at the end (which a print with footnotes
 * otherwise hides). Only in a PDF with footnotes (its structure has Note elements).
 */
function checkNotes(file: VFile, { facts, links, layout }: PrintEvidence): void {
  if (!facts.structure || !flatten(facts.structure).some((element) => element.role === 'Note')) return;
  const list = links.destinations.get('footnote-label');
  const seen = new Set<string>();
  for (const ref of layout.refs) {
    if (seen.has(ref.note)) continue;
    seen.add(ref.note);
    const refPage = links.links.get(ref.note)?.[0];
    const notePage = ref.id ? links.links.get(ref.id)?.[0] : undefined;
    const note = links.destinations.get(ref.note);
    const inList = list !== undefined && note !== undefined && (note.page > list.page || (note.page === list.page && note.offset >= list.offset));
    if (refPage === undefined || notePage === undefined || (notePage === refPage && !inList)) continue;
    const where = inList ? `under "Notes" at the end (page ${notePage})` : `on page ${notePage}`;
    report(file, 'warning', `Footnote ${ref.label || ref.note} could not be placed at the foot of page ${refPage}, where it is cited: it prints ${where}. It is taller than the room the page leaves it: shorten it, or split it into two notes.`, 'note-not-placed', pointOf(ref.mark));
  }
}

function checkFonts(file: VFile, { facts, bundledFonts, missing, places }: PrintEvidence): void {
  // An SVG image whose text is in the computer's fonts was already named at its line (rehype-images).
  const namedImage = file.messages.some((message) => message.ruleId === 'font-not-embedded' && message.line !== undefined && message.line > 1);
  for (const font of facts.fonts) {
    if (namedImage && font.type !== 'Type3') continue;
    if (font.type === 'Type3') {
      report(file, 'warning', `The PDF draws text in a Type 3 font ("${font.name || 'unnamed'}"): shapes without real font data, which print blurred and read badly. A glyph was missing from the loaded fonts when Chrome printed.`, 'font-not-embedded', { line: 1, column: 1 });
    } else if (!font.embedded) {
      report(file, 'warning', `The font "${font.name}" is not embedded in the PDF: printers and readers will substitute another.`, 'font-not-embedded', { line: 1, column: 1 });
    } else if (!bundledFonts.has(font.name)) {
      report(file, 'warning', `The PDF uses "${font.name}", a font of this computer, not one of the template's: a character no bundled font has (see missing-glyph), or a font-family in the template's CSS that names no bundled font. Built elsewhere, the PDF will look different.`, 'font-not-embedded', { line: 1, column: 1 });
    }
  }
  for (const char of missing) {
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const place = places.text(char);
    report(file, 'warning', `No font of the template has "${char}" (${code}): it prints in a font of this computer, or as an empty box ("tofu")${place ? '' : ' (in the template)'}.`, 'missing-glyph', place ?? { line: 1, column: 1 });
  }
}

function checkPdfAccessibility(file: VFile, { facts, layout }: PrintEvidence): void {
  const top = { line: 1, column: 1 };
  if (!facts.tagged) report(file, 'warning', 'The PDF is not tagged: screen readers get no structure (headings, lists, tables) and no reading order.', 'pdf-tagged', top);
  if (!facts.title) report(file, 'warning', 'The PDF has no title.', 'pdf-title', top);
  else if (!facts.displayDocTitle) report(file, 'warning', 'The PDF does not ask viewers to show its title: they show the file name instead (/DisplayDocTitle).', 'pdf-title', top);
  if (!facts.lang) report(file, 'warning', 'The PDF has no document language (/Lang): screen readers cannot pick a voice.', 'pdf-language', top);
  if (facts.untagged.length > 0) {
    const marks = facts.untagged.reduce((sum, page) => sum + page.marks, 0);
    report(file, 'warning', `The PDF has ${marks} mark${marks === 1 ? ' that is' : 's that are'} neither tagged content nor artifacts (pages ${facts.untagged.map((page) => page.page).join(', ')}).`, 'pdf-artifacts', top);
  }
  if (!facts.structure) return;
  const elements = flatten(facts.structure);
  const figures = elements.filter((element) => element.role === 'Figure');
  figures.forEach((figure, index) => {
    if (figure.alt?.trim() || flatten(figure).some((inner) => inner.role === 'Figure' && inner.alt?.trim())) return;
    // A figure element holding an image: the image's own entry is reported.
    if (figure.children.some((child) => child.role === 'Figure')) return;
    report(file, 'warning', `Figure ${index + 1} in the PDF has no alternative text.`, 'pdf-figure-alt', top);
  });
  const headings = elements.filter((element) => /^H[1-6]$/.test(element.role));
  let previous = 0;
  headings.forEach((heading, rank) => {
    const level = Number(heading.role.slice(1));
    if (level > previous + 1) {
      const measured = matched(layout.headings, headings.length, rank);
      const name = measured ? `"${measured.text}" (${heading.role})` : heading.role;
      report(file, 'warning', `In the PDF's structure, heading ${name} follows ${previous === 0 ? 'no heading at all' : `an H${previous}`}: readers navigating by heading miss a level.`, 'pdf-heading-order', headingPlace(file, measured));
    }
    previous = level;
  });
}

/** The measured element at the same rank, if the layout found as many as the PDF has. */
function matched(blocks: Block[], count: number, rank: number): Block | undefined {
  return blocks.length === count ? blocks[rank] : undefined;
}

/** Where an element and its descendants show content. */
function allContent(element: StructElement): { page: number; rank: number }[] {
  return [element, ...flatten(element)].flatMap((node) => node.content);
}

/** A heading's place: its mark, or for the template's title, the front matter's title: line. */
function headingPlace(file: VFile, measured: Block | undefined): Point {
  if (measured?.mark) return pointOf(measured.mark);
  const title = file.data.matter?.title;
  return (measured?.text && title && title.replace(/\s+/g, ' ').trim().startsWith(measured.text) ? file.data.frontMatter?.locateKey(['title']).start : undefined) ?? { line: 1, column: 1 };
}

function pointOf(mark: SourceMark): Point {
  const match = mark ? /^(\d+):(\d+)$/.exec(mark) : null;
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 };
}

function inches(pixels: number): string {
  return `${(pixels / INCH).toFixed(2)} in`;
}
