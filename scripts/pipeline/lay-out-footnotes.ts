import type { PDFDocument } from 'pdf-lib';
import type { Page } from 'puppeteer';
import { FootnotePage } from './footnote-page.ts';
import { firstWrongPage, placeNotes, type PageArea } from './place-notes.ts';
import { readDestinations } from './read-destinations.ts';
import type { PrintedNote } from './tag-notes.ts';

/** What placing one brief's footnotes took, and what it could not do. */
export interface FootnoteReport {
  /** Prints made while placing (the last one is the PDF). */
  passes: number;
  /** Notes that did not print on the page of their reference (too tall for a page, or out of passes). */
  unplaced: string[];
  /** The notes, for tagging (tag-notes.ts). */
  notes: PrintedNote[];
}

/** Room kept free at the foot of each page, and how much more after each failed try of a page. */
const SLACK_PX = 2;
const SLACK_STEP_PX = 14;
/** Tries of one page before its stray notes are given up on (printed at the end instead). */
const TRIES_PER_PAGE = 3;

/**
 * Puts each page's footnotes at its foot, in a page loaded for printing, and prints it. Chromium
 * has no `float: footnote`, so: lay the document out as one column of page width
 * (footnote-page.ts), plan where each page ends and which notes go under it (place-notes.ts), put
 * the notes areas there (each ends its page and is stretched to the page's foot), print, and
 * read from the PDF's links on which page each reference and each note landed. A page whose
 * notes are wrong is planned again from where it begins, with more room kept free: the pages
 * before it never change, so each pass settles one more page or gives up on a note, and the
 * passes are bounded (twice the pages, plus four). Kept between loads of the same brief (the
 * contents' page numbers reload the page), so a reload costs one print when nothing moved.
 */
export class FootnoteLayout {
  private areas: PageArea[] = [];
  private readonly unplaceable = new Set<string>();
  private readonly tries = new Map<number, number>();
  private starts: Record<number, number> = {};
  readonly report: FootnoteReport = { passes: 0, unplaced: [], notes: [] };

  constructor(
    private readonly page: Page,
    private readonly print: () => Promise<PDFDocument>,
  ) {}

  /** Places the loaded page's notes and returns the print that shows them. */
  async layOut(): Promise<PDFDocument> {
    const page = new FootnotePage(this.page);
    if (!(await page.hasNotes())) return this.print();
    const { margins, size } = await page.margins();
    if (!size) {
      // A paper size this cannot measure: the notes print as endnotes, each reported.
      const notes = await page.prepare();
      await page.apply([], {}, {}, {}, notes.map((note) => note.id));
      this.report.notes = notes;
      this.report.unplaced = notes.map((note) => note.id);
      return this.print();
    }
    const heights = (number: number) => size.height - (number === 1 ? margins.first.top + margins.first.bottom : margins.other.top + margins.other.bottom);
    // Laid out with print styles at the page's width first: what the template keeps whole (its
    // print rules) decides where a page may end.
    const emulated = await page.emulate(size.width - margins.other.left - margins.other.right);
    let done = false;
    const restore = async () => {
      if (!done) await emulated();
      done = true;
    };
    try {
      const notes = await page.prepare();
      if (notes.length === 0) return await this.print();
      if (await page.inColumns()) {
        // Text in columns (templates/in-focus): the notes print as endnotes, under "Notes", from
        // the page as the template lays it out.
        await restore();
        await page.apply([], {}, {}, {}, notes.map((note) => note.id));
        return await this.print();
      }
      const backOf = new Map(notes.map((note) => [note.id, note.back]));
      this.report.notes = notes;
      // Where pages Chrome ended itself begin: measured anew for each document loaded.
      this.starts = {};
      let settled = 0;
      let last: PDFDocument | undefined;
      let anchorsPrinted: ReturnType<typeof readDestinations> | undefined;
      for (let pass = 0; ; pass++) {
        const kept = this.areas.filter((area) => area.page <= settled);
        const sizes = (areas: PageArea[]) => {
          const pages = Math.max(settled + 1, ...areas.map((area) => area.page)) + 1;
          const height: Record<number, number> = {};
          const slack: Record<number, number> = {};
          for (let number = 1; number <= pages; number++) {
            height[number] = heights(number);
            slack[number] = SLACK_PX + SLACK_STEP_PX * (this.tries.get(number) ?? 0);
          }
          return { height, slack };
        };
        let fitted = sizes(kept);
        const applied = await page.apply(kept, fitted.height, fitted.slack, this.starts, [...this.unplaceable]);
        const measure = await page.measure();
        let start = applied.bottoms[settled] ?? this.starts[settled + 1] ?? (settled === 0 ? 0 : undefined);
        if (start === undefined && anchorsPrinted) {
          // The page before ended where Chrome broke it: find where this one begins from the
          // topmost link target printed on it.
          let top: { id: string; offset: number } | undefined;
          for (const [id, destination] of anchorsPrinted.destinations) {
            if (destination.page === settled + 1 && measure.anchors[id] !== undefined && (!top || destination.offset < top.offset)) top = { id, offset: destination.offset };
          }
          if (top) start = this.starts[settled + 1] = measure.anchors[top.id]! - top.offset;
        }
        if (start === undefined) break;
        const plan = placeNotes(measure, {
          firstPage: settled + 1,
          start,
          pageHeight: heights,
          slack: (number) => SLACK_PX + SLACK_STEP_PX * (this.tries.get(number) ?? 0),
          unplaceable: this.unplaceable,
        });
        for (const note of plan.unplaceable) this.unplaceable.add(note);
        this.areas = [...kept, ...plan.areas];
        fitted = sizes(this.areas);
        await page.apply(this.areas, fitted.height, fitted.slack, this.starts, [...this.unplaceable]);
        last = await this.print();
        this.report.passes++;
        anchorsPrinted = readDestinations(last);
        const refPages = new Map<string, number>();
        const notePages = new Map<string, number>();
        for (const note of notes) {
          const refs = anchorsPrinted.links.get(note.id);
          if (refs?.length) refPages.set(note.id, refs[0]!);
          const back = anchorsPrinted.links.get(backOf.get(note.id) ?? '');
          if (back?.length) notePages.set(note.id, back[0]!);
        }
        const wrong = firstWrongPage({ refPages, notePages }, this.unplaceable);
        this.report.unplaced = [...refPages.keys()].filter((id) => this.unplaceable.has(id) || (wrong !== undefined && notePages.get(id) !== refPages.get(id)));
        if (wrong === undefined) break;
        if (pass + 1 >= 2 * last.getPageCount() + 4) break;
        // A wrong page past the one where the plan stopped (Chrome ended that page itself) was
        // not planned: plan on from there. A wrong page the plan covered is tried again with more
        // room kept free, and after a few tries its stray notes go to the end.
        const planned = Math.max(settled, ...this.areas.map((area) => area.page));
        if (wrong > planned + 1) {
          settled = wrong - 1;
          continue;
        }
        const tries = (this.tries.get(wrong) ?? 0) + 1;
        this.tries.set(wrong, tries);
        if (tries >= TRIES_PER_PAGE) {
          for (const [id, refPage] of refPages) if (refPage === wrong && notePages.get(id) !== wrong) this.unplaceable.add(id);
        }
        settled = wrong - 1;
      }
      return last ?? (await this.print());
    } finally {
      await restore();
    }
  }
}

