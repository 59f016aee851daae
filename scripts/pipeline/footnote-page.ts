import type { Page } from 'puppeteer';
import type { BreakKey, FlowMeasure, PageArea } from './place-notes.ts';
import { readPageBox, type PageMargins } from './page-box.ts';

export type { PageMargins };

/** What the page says back after its notes areas were put in place. */
export interface Applied {
  /** Height in the column of the foot of each area (where the next page begins), by page. */
  bottoms: Record<number, number>;
}

/**
 * Footnotes in a loaded print page, driven from here (the page's own JavaScript is off; these
 * functions run through DevTools): mark the places a page may end, measure the document as one
 * column, and put each page's notes area where the plan says. The print body comes with its
 * notes already as footnotes, in a hidden pool (rehype-footnotes.ts); areas take them from it.
 */
export class FootnotePage {
  constructor(private readonly page: Page) {}

  /** Marks the blocks and paragraphs a page may end before or inside; returns the page's notes (id, and the id of their reference). */
  prepare(): Promise<{ id: string; back: string }[]> {
    return this.page.evaluate(prepareInPage);
  }

  /** Whether the page has footnotes to place at all. */
  hasNotes(): Promise<boolean> {
    return this.page.evaluate(() => document.querySelector('.footnotes-pool .footnote') !== null);
  }

  /** Whether the text is set in columns (CSS multi-column): one column of page width is then no measure of it. */
  inColumns(): Promise<boolean> {
    return this.page.evaluate(() => {
      for (let node = document.querySelector('.article'); node; node = node.parentElement) {
        const count = getComputedStyle(node).columnCount;
        if (count !== 'auto' && Number(count) > 1) return true;
      }
      return false;
    });
  }

  /** The @page margins and size, read from the page's style sheets (size undefined if it names none this knows). */
  margins(): Promise<{ margins: PageMargins; size: { width: number; height: number } | undefined }> {
    return this.page.evaluate(readPageBox);
  }

  /** Lays the page out as one column `width` px wide with print styles, as the print lays each page out. */
  async emulate(width: number): Promise<() => Promise<void>> {
    const viewport = this.page.viewport();
    await this.page.emulateMediaType('print');
    // A viewport is whole pixels, a page's content box seldom is (8.5in less 2.2in is 604.8px):
    // the root takes the exact width, or lines would break otherwise than in print.
    await this.page.setViewport({ width: Math.max(1, Math.ceil(width)), height: 1000 });
    await this.page.evaluate((exact) => document.documentElement.style.setProperty('width', `${exact}px`), width);
    return async () => {
      await this.page.evaluate(() => document.documentElement.style.removeProperty('width'));
      await this.page.emulateMediaType();
      if (viewport) await this.page.setViewport(viewport);
    };
  }

  /** Measures the column: where a page may end, where the references are, how tall each note prints. */
  measure(): Promise<FlowMeasure & { anchors: Record<string, number> }> {
    return this.page.evaluate(measureInPage);
  }

  /**
   * Takes every area out, then puts `areas` in (in page order) and sizes each to reach the foot
   * of its page: `starts` gives where a page begins when no area of the page before says it.
   */
  apply(areas: PageArea[], heights: Record<number, number>, slack: Record<number, number>, starts: Record<number, number>, unplaced: string[]): Promise<Applied> {
    return this.page.evaluate(applyInPage, { areas, heights, slack, starts, unplaced });
  }
}

// Everything below runs in the page: self-contained, V8 built-ins and the DOM only.

/** Blocks a page may end before, and paragraphs it may end inside (marked data-fn-block, data-fn-lines). */
function prepareInPage(): { id: string; back: string }[] {
  const pool = document.querySelector('.footnotes-pool');
  if (!pool) return [];
  const blocks = Array.from(document.querySelectorAll('.article > *, main ~ *')).filter((element) => !element.matches('.footnotes-pool, .notes-area, .notes-anchors, script, style'));
  const anchors = document.createElement('div');
  anchors.hidden = true;
  anchors.className = 'notes-anchors';
  blocks.forEach((block, index) => {
    block.setAttribute('data-fn-block', String(index));
    if (!block.id) block.id = `fn-block-${index}`;
    // A link to each block makes Chrome record where it printed (a named destination).
    const link = document.createElement('a');
    link.href = `#${block.id}`;
    anchors.append(link);
  });
  // The notes list's heading shows only when a note fits no page: the check reads that from the print.
  const label = pool.querySelector('h1, h2, h3, h4, h5, h6');
  if (label?.id) {
    const link = document.createElement('a');
    link.href = `#${label.id}`;
    anchors.append(link);
  }
  // Paragraphs that may be cut between two lines: not inside anything the template keeps whole.
  let lines = 0;
  for (const paragraph of Array.from(document.querySelectorAll('.article p'))) {
    let whole = false;
    for (let node: Element | null = paragraph; node && !node.classList.contains('article'); node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.breakInside === 'avoid' || style.display === 'table-cell' || node.matches('table, figure, pre, .footnotes-pool')) whole = true;
    }
    if (whole) continue;
    paragraph.setAttribute('data-fn-lines', '');
    if (!paragraph.hasAttribute('data-fn-block')) paragraph.setAttribute('data-fn-block', `p${lines}`);
    lines++;
  }
  document.body.append(anchors);
  // Each note as it came, to cut afresh on every plan (a template is neither laid out nor printed).
  const pristine = document.createElement('template');
  pristine.className = 'notes-pristine';
  for (const note of Array.from(pool.querySelectorAll('.footnote'))) pristine.content.append(note.cloneNode(true));
  document.body.append(pristine);
  return Array.from(pool.querySelectorAll('.footnote')).map((note) => ({ id: note.id, back: decodeURIComponent((note.querySelector('.footnote-number')?.getAttribute('href') ?? '').slice(1)) }));
}


function measureInPage(): FlowMeasure & { anchors: Record<string, number> } {
  const top = (element: Element) => element.getBoundingClientRect().top + window.scrollY;
  const skipped = (node: Node) => !!node.parentElement?.closest('.notes-area, .footnotes-pool, .notes-anchors');
  /**
   * Where each line of an element begins after its first: the character offset in its text and
   * the height between that line and the one above. Only where a line begins with a word (not
   * inside a word cut by a hyphen); in Japanese and Chinese at any character (kinsoku aside,
   * which the layout already obeyed).
   */
  const lineStarts = (element: Element, skip: (node: Node) => boolean) => {
    const range = document.createRange();
    const rectOf = (at: { node: Text; index: number }, last: boolean) => {
      range.setStart(at.node, at.index);
      range.setEnd(at.node, at.index + 1);
      const rects = range.getClientRects();
      return rects[last ? rects.length - 1 : 0];
    };
    const starts: { offset: number; y: number; line: number }[] = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let offset = 0;
    let previous: { node: Text; index: number } | undefined;
    let afterSpace = true;
    let lineTop = -Infinity;
    let lines = 0;
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      if (skip(node)) continue;
      const text = node.data;
      for (let index = 0; index < text.length; index++) {
        if (/\s/.test(text[index]!)) {
          afterSpace = true;
          continue;
        }
        const here = { node, index };
        if (afterSpace || /[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(text[index]!)) {
          const rect = rectOf(here, false);
          if (rect && rect.height > 0 && rect.top > lineTop + rect.height / 2) {
            lines++;
            lineTop = rect.top;
            const last = previous ? rectOf(previous, true) : undefined;
            if (last && last.bottom <= rect.top + 1) starts.push({ offset: offset + index, y: (last.bottom + rect.top) / 2 + window.scrollY, line: lines - 1 });
          }
        }
        afterSpace = false;
        previous = here;
      }
      offset += text.length;
    }
    return { starts, lines };
  };
  const breaks: { key: BreakKey; y: number }[] = [];
  const headings = /^H[1-6]$/;
  for (const block of Array.from(document.querySelectorAll('[data-fn-block]'))) {
    const name = block.getAttribute('data-fn-block')!;
    // Before a top-level block, unless a heading would be left at the foot of the page.
    const before = block.previousElementSibling;
    if (!name.startsWith('p') && !(before && headings.test(before.tagName)) && block.getClientRects().length > 0) {
      breaks.push({ key: { block: name, offset: 0 }, y: top(block) });
    }
    if (!block.hasAttribute('data-fn-lines')) continue;
    // Between lines, two lines at least on either side (orphans and widows).
    const { starts, lines } = lineStarts(block, skipped);
    for (const start of starts) {
      if (start.line >= 2 && start.line <= lines - 2) breaks.push({ key: { block: name, offset: start.offset }, y: start.y });
    }
  }
  breaks.sort((a, b) => a.y - b.y);
  const refs = Array.from(document.querySelectorAll('a[data-footnote-ref]'))
    .filter((ref) => !skipped(ref) && ref.getClientRects().length > 0)
    .map((ref) => {
      const box = ref.getBoundingClientRect();
      return { note: decodeURIComponent((ref.getAttribute('href') ?? '').slice(1)), y: (box.top + box.bottom) / 2 + window.scrollY };
    });
  // Each note's height as it prints in an area: all of them laid out in one probe area.
  const probe = document.createElement('div');
  probe.className = 'notes-area notes-probe';
  probe.style.minHeight = '0';
  // As they came (areas may hold a note cut in two).
  const notes = Array.from((document.querySelector('template.notes-pristine') as HTMLTemplateElement | null)?.content.children ?? document.querySelectorAll('.footnotes-pool .footnote'));
  for (const note of notes) {
    const copy = note.cloneNode(true) as Element;
    copy.removeAttribute('id');
    copy.removeAttribute('hidden');
    probe.append(copy);
  }
  const end = document.createElement('div');
  document.body.append(end);
  const endY = top(end);
  end.replaceWith(probe);
  const copies = Array.from(probe.children);
  const noteHeights: Record<string, number> = {};
  copies.forEach((copy, index) => {
    const next = copies[index + 1];
    const bottom = next ? top(next) : probe.getBoundingClientRect().bottom + window.scrollY - parseFloat(getComputedStyle(probe).paddingBottom);
    noteHeights[notes[index]!.id] = bottom - top(copy);
  });
  // Where a long note may be cut to continue on the next page: two lines at least on either side.
  const noteLines: Record<string, { offset: number; top: number }[]> = {};
  copies.forEach((copy, index) => {
    const { starts, lines } = lineStarts(copy, () => false);
    const copyTop = top(copy);
    noteLines[notes[index]!.id] = starts.filter((start) => start.line >= 2 && start.line <= lines - 2).map((start) => ({ offset: start.offset, top: start.y - copyTop }));
  });
  const total = probe.getBoundingClientRect().height;
  const areaOverhead = total - Object.values(noteHeights).reduce((sum, height) => sum + height, 0);
  probe.remove();
  // Where every link target lies, to match the print's named destinations.
  const anchors: Record<string, number> = {};
  for (const link of Array.from(document.querySelectorAll('a[href^="#"]'))) {
    const id = decodeURIComponent(link.getAttribute('href')!.slice(1));
    const target = id ? document.getElementById(id) : null;
    if (target && target.getClientRects().length > 0) anchors[id] = top(target);
  }
  return { breaks, refs, noteHeights, noteLines, areaOverhead, end: endY, anchors };
}

function applyInPage(input: { areas: PageArea[]; heights: Record<number, number>; slack: Record<number, number>; starts: Record<number, number>; unplaced: string[] }): Applied {
  const pool = document.querySelector('.footnotes-pool')!;
  const list = pool.querySelector('.footnotes-list') ?? pool;
  const pristine = (document.querySelector('template.notes-pristine') as HTMLTemplateElement).content;
  // Areas out, cut text joined again; every note afresh in the pool, in order.
  for (const area of Array.from(document.querySelectorAll('.notes-area'))) {
    const parent = area.parentElement;
    area.remove();
    parent?.normalize();
  }
  list.replaceChildren(...Array.from(pristine.children).map((note) => note.cloneNode(true) as Element));
  const notes = Array.from(list.children);
  /** Where a note's text reaches `offset`: a range from there to the note's end. */
  const tail = (note: Element, offset: number): Range | undefined => {
    const walker = document.createTreeWalker(note, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      if (offset < node.data.length) {
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEndAfter(note.lastChild!);
        return range;
      }
      offset -= node.data.length;
    }
    return undefined;
  };
  pool.classList.toggle('footnotes-unplaced', input.unplaced.length > 0);
  for (const note of notes) note.toggleAttribute('hidden', !input.unplaced.includes(note.id));

  const inserted: { area: PageArea; element: HTMLElement }[] = [];
  for (const area of input.areas) {
    const element = document.createElement('div');
    element.className = area.notes.length > 0 ? 'notes-area' : 'notes-area notes-area-empty';
    element.setAttribute('data-page', String(area.page));
    if (area.carry) {
      // The rest of a note cut on the page before: no number, no id, under a full-width rule.
      const source = Array.from(pristine.children).find((note) => note.id === area.carry!.note);
      if (source) {
        const rest = document.createElement('div');
        rest.className = 'footnote footnote-continued';
        const range = tail(source.cloneNode(true) as Element, area.carry.offset);
        if (range) rest.append(range.extractContents());
        element.append(rest);
        element.classList.add('notes-area-continued');
        element.classList.remove('notes-area-empty');
      }
    }
    for (const id of area.notes) {
      const note = document.getElementById(id);
      if (note) {
        note.removeAttribute('hidden');
        element.append(note);
        if (area.cut?.note === id) tail(note, area.cut.offset)?.deleteContents();
      }
    }
    if (area.at === 'end') {
      element.classList.add('notes-area-last');
      document.body.append(element);
    } else {
      const key = area.at as BreakKey;
      const block = document.querySelector(`[data-fn-block="${key.block}"]`);
      if (!block) continue;
      if (key.offset === 0) {
        block.before(element);
      } else {
        // The text node holding the offset, counting only the paragraph's own text.
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        let offset = key.offset;
        let placed = false;
        for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
          if (node.parentElement?.closest('.notes-area')) continue;
          if (offset < node.data.length) {
            const rest = offset > 0 ? node.splitText(offset) : node;
            rest.before(element);
            placed = true;
            break;
          }
          offset -= node.data.length;
        }
        if (!placed) block.append(element);
      }
    }
    inserted.push({ area, element });
  }
  // Sized in page order: each area fills its page down to the foot, so the next page begins
  // right after it. Read once, written once (one layout, not two per area): growing an area by
  // some pixels moves everything after it down by as many.
  const boxes = inserted.map(({ element }) => element.getBoundingClientRect());
  const bottoms: Record<number, number> = {};
  let shift = 0;
  inserted.forEach(({ area, element }, index) => {
    const box = boxes[index]!;
    const start = bottoms[area.page - 1] ?? input.starts[area.page] ?? 0;
    const top = box.top + window.scrollY + shift;
    const size = Math.max(0, Math.floor(start + (input.heights[area.page] ?? 0) - (input.slack[area.page] ?? 0) - top));
    element.style.minHeight = `${size}px`;
    const height = Math.max(size, box.height);
    shift += height - box.height;
    bottoms[area.page] = top + height;
  });
  return { bottoms };
}
