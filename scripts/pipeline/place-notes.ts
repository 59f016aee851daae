/**
 * Where each page's footnotes go, from a measure of the document laid out as one long column
 * (print styles, page width, no page breaks). Pure: the measure comes from the page
 * (footnote-page.ts), the plan goes back to it, and the print proves it (lay-out-footnotes.ts).
 *
 * The plan cuts the column into pages itself. For each page, from the top of what it holds, it
 * takes the last place the text may stop (between blocks, or between two lines of a paragraph)
 * such that the text down to there, plus the notes of the references above it, fits the page.
 * There the page ends with a forced break and a notes area sized to fill the page to its foot.
 * A reference whose line does not fit with its note moves to the next page, and its note with
 * it: notes only ever move forward, and each page ends strictly below where it began, so a plan
 * has at most one page per break and always ends.
 */

/** A place in the flow, stable across layouts: a block (its data-fn-block mark) and a character offset in its text (0: before the block). */
export interface BreakKey {
  block: string;
  offset: number;
}

/** A place where a page may end. */
export interface FlowBreak {
  key: BreakKey;
  /** Height in the column (CSS px) where what follows begins: a notes area put here starts at this height. */
  y: number;
}

/** A footnote reference in the column. */
export interface FlowRef {
  /** The id of the note it points to ("fn-1"). */
  note: string;
  /** Height in the column of the middle of its line. */
  y: number;
}

/** The document laid out as one column, as footnote-page.ts measures it. */
export interface FlowMeasure {
  /** Places a page may end, sorted by height. */
  breaks: FlowBreak[];
  /** References in document order. */
  refs: FlowRef[];
  /** Height of each note as it prints in a notes area, by note id. */
  noteHeights: Record<string, number>;
  /**
   * Where each note may be cut to continue on the next page, by note id: the character offset in
   * its text where a line begins, and the height of the lines above it (two lines at least on
   * either side).
   */
  noteLines?: Record<string, { offset: number; top: number }[]>;
  /** What an area with notes adds to them: its rule and the space above it. */
  areaOverhead: number;
  /** Height of the whole column: an area put at the end starts here. */
  end: number;
}

/** A note cut at a character offset of its text: the part before on one page, the rest on the next. */
export interface NoteCut {
  note: string;
  offset: number;
}

/** One page's end: where the page stops, and the notes printed at its foot. */
export interface PageArea {
  page: number;
  /** Where the area goes; "end": after everything. */
  at: BreakKey | 'end';
  notes: string[];
  /** The rest of a note cut on the page before, printed first (under a full-width rule). */
  carry?: NoteCut;
  /** The last note stops at this offset; its rest goes on the next page. */
  cut?: NoteCut;
}

export interface PlanOptions {
  /** The first page to plan (the pages before it are settled). */
  firstPage: number;
  /** Height in the column where that page begins. */
  start: number;
  /** Height of a page's content box in CSS px (the first page's may differ). */
  pageHeight(page: number): number;
  /** Room kept free at the foot of a page, so rounding never pushes an area over. */
  slack(page: number): number;
  /** Notes already found not to fit any page: they are left out. */
  unplaceable?: ReadonlySet<string>;
}

export interface Plan {
  areas: PageArea[];
  /** Notes too tall for any page, even with their reference at its top. */
  unplaceable: string[];
  /**
   * True when the plan reaches the end of the document. False when a page holds something
   * taller than a page with no place to stop (a long table): Chrome breaks it where it can, and
   * the plan continues from the page after, measured in the print.
   */
  complete: boolean;
}

/** Plans the pages from `options.firstPage` on. */
export function placeNotes(measure: FlowMeasure, options: PlanOptions): Plan {
  const unplaceable = new Set(options.unplaceable ?? []);
  const found: string[] = [];
  const areas: PageArea[] = [];
  // A note cited twice prints once, with its first reference.
  const placed = new Set<string>();
  const breaks = [...measure.breaks, { key: 'end' as const, y: measure.end }];
  let start = options.start;
  let page = options.firstPage;
  // The rest of a note cut on the page before.
  let carry: (NoteCut & { height: number }) | undefined;
  // Each turn either ends a page strictly lower than it began (at most one page per break), or
  // marks one more note unplaceable and starts over: at most (breaks + 1) × (notes + 1) turns.
  for (let turns = 0; turns <= (breaks.length + 1) * (measure.refs.length + 1); turns++) {
    const room = options.pageHeight(page) - options.slack(page);
    const nextRoom = options.pageHeight(page + 1) - options.slack(page + 1);
    const carried = carry?.height ?? 0;
    let best: { at: BreakKey | 'end'; y: number; notes: string[]; cut?: NoteCut & { rest: number } } | undefined;
    let bestCut: typeof best;
    let first: { y: number; notes: string[] } | undefined;
    for (const item of breaks) {
      if (item.y <= start + 0.5) continue;
      const notes = [...new Set(measure.refs.filter((ref) => ref.y >= start - 0.5 && ref.y < item.y && !unplaceable.has(ref.note) && !placed.has(ref.note)).map((ref) => ref.note))];
      first ??= { y: item.y, notes };
      const text = item.y - start;
      if (text > room) break;
      const overhead = notes.length > 0 || carry ? measure.areaOverhead : 0;
      const heights = notes.map((id) => measure.noteHeights[id] ?? 0);
      const need = text + overhead + carried + heights.reduce((sum, height) => sum + height, 0);
      if (need <= room) {
        best = { at: item.key, y: item.y, notes };
        continue;
      }
      // The last note cut after a line, its rest at the top of the next page's notes (where it
      // must take no more than half the page).
      const last = notes.at(-1);
      if (last === undefined || item.key === 'end') continue;
      const free = room - (need - heights.at(-1)!);
      const lines = measure.noteLines?.[last] ?? [];
      const cut = [...lines].reverse().find((line) => line.top <= free);
      const rest = cut ? heights.at(-1)! - cut.top : 0;
      if (cut && rest + measure.areaOverhead <= nextRoom / 2) bestCut = { at: item.key, y: item.y, notes, cut: { note: last, offset: cut.offset, rest } };
    }
    // A note is cut only when that keeps an eighth of a page more text on this page (some five
    // lines), or when nothing fits whole.
    if (bestCut && (!best || bestCut.y > best.y + room / 8)) best = bestCut;
    if (!best) {
      // Nothing fits. If the first piece of text fits alone, its notes are what does not fit:
      // they can fit no page, since this page begins with that piece.
      if (first && first.y - start <= room && first.notes.length > 0) {
        for (const note of first.notes) {
          unplaceable.add(note);
          found.push(note);
        }
        // Plan again from the first page: the pages before this one ended early for that note.
        areas.length = 0;
        placed.clear();
        carry = undefined;
        start = options.start;
        page = options.firstPage;
        continue;
      }
      return { areas, unplaceable: found, complete: false };
    }
    // A page with no notes, and no reference Chrome could still fit on it: Chrome ends it where
    // it would (a forced break here would only leave a gap); the plan goes on from the print.
    const fitsMore = measure.refs.some((ref) => ref.y >= best!.y && ref.y < start + room && !unplaceable.has(ref.note) && !placed.has(ref.note));
    if (best.notes.length === 0 && !carry && best.at !== 'end' && !fitsMore) return { areas, unplaceable: found, complete: false };
    areas.push({ page, at: best.at, notes: best.notes, ...(carry ? { carry: { note: carry.note, offset: carry.offset } } : {}), ...(best.cut ? { cut: { note: best.cut.note, offset: best.cut.offset } } : {}) });
    for (const note of best.notes) placed.add(note);
    carry = best.cut ? { note: best.cut.note, offset: best.cut.offset, height: best.cut.rest } : undefined;
    if (best.at === 'end') return { areas, unplaceable: found, complete: true };
    start = best.y;
    page++;
  }
  return { areas, unplaceable: found, complete: false };
}

/** Where each note's reference and the note itself printed, by note id (pages from 1). */
export interface PrintedNotes {
  refPages: Map<string, number>;
  notePages: Map<string, number>;
}

/**
 * The first page whose notes are wrong in a print: a note printed on another page than its
 * reference, or not printed at all while its reference is there. Undefined when all are right.
 * `ignore`: notes known not to fit (printed at the end instead).
 */
export function firstWrongPage(printed: PrintedNotes, ignore: ReadonlySet<string> = new Set()): number | undefined {
  let wrong: number | undefined;
  for (const [note, refPage] of printed.refPages) {
    if (ignore.has(note)) continue;
    const notePage = printed.notePages.get(note);
    if (notePage === refPage) continue;
    const page = Math.min(refPage, notePage ?? refPage);
    wrong = wrong === undefined ? page : Math.min(wrong, page);
  }
  return wrong;
}
