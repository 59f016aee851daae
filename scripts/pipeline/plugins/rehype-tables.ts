import type { Element, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { nextElement, previousElement } from '../hast-siblings.ts';

/**
 * `Table: …`, Pandoc's shorter `: …`, and Word's numbered captions `Table 3: …` / `Table 3. …`
 * (brief numbers tables itself).
 */
const CAPTION = /^(?:Table(?::|\s+\d+\s*[:.])|:(?=\s))\s*/;

/**
 * Gives tables a caption and a frame: a paragraph `Table: …` just before a table (or, as Pandoc
 * allows, just after one, unless it comes right before another table) becomes its numbered
 * <caption> ("Table 1. …"), and each table is wrapped in a scrolling frame for narrow screens (a
 * named region, focusable so a keyboard can scroll it). A caption's label (`{#tbl-x}`, which
 * remark-crossrefs put on the paragraph as its id) becomes the table's id, and its number goes on
 * file.data.numbered. The header row repeats on every printed page through CSS (thead is a
 * header group). Column alignment becomes a class (align-left, align-center, align-right).
 */
export default function rehypeTables() {
  return (tree: Root, file: VFile) => {
    let count = 0;
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'table' || !parent || index === undefined) return;
      const before = previousElement(parent.children, index);
      const after = nextElement(parent.children, index);
      const captionBefore = before && isCaption(before.node) ? before : undefined;
      // A caption after this table that is also right before the next one belongs to the next.
      const captionAfter = !captionBefore && after && isCaption(after.node) && nextElement(parent.children, after.index)?.node.tagName !== 'table' ? after : undefined;
      const paragraph = captionBefore ?? captionAfter;
      let captionId: string | undefined;
      if (paragraph) {
        count++;
        const label = (file.data.labels?.table ?? 'Table {n}').replace('{n}', String(count));
        const first = paragraph.node.children[0];
        if (first?.type === 'text') first.value = first.value.replace(CAPTION, '');
        const crossref = typeof paragraph.node.properties.id === 'string' && paragraph.node.properties.id.startsWith('tbl-') ? paragraph.node.properties.id : undefined;
        if (crossref) {
          node.properties.id = crossref;
          (file.data.numbered ??= {})[crossref] = { kind: 'tbl', number: String(count) };
        }
        node.properties.id ??= `table-${count}`;
        captionId = `${String(node.properties.id)}-caption`;
        node.children.unshift({
          type: 'element',
          tagName: 'caption',
          properties: { id: captionId },
          children: [{ type: 'element', tagName: 'span', properties: { className: ['table-label'] }, children: [{ type: 'text', value: label }] }, { type: 'text', value: ' ' }, ...paragraph.node.children],
        });
        if (captionBefore) {
          parent.children.splice(captionBefore.index, index - captionBefore.index);
          index = captionBefore.index;
        } else parent.children.splice(index + 1, after!.index - index);
        addContinuedRow(node, (file.data.labels?.table_continued ?? 'Table {n} (continued)').replace('{n}', String(count)));
      }
      // Column alignment (`|---:|`) as a class: HTML's align attribute is obsolete (the Nu Html
      // Checker warns about every cell), and the template's CSS sets text-align instead.
      visit(node, 'element', (cell) => {
        if ((cell.tagName !== 'th' && cell.tagName !== 'td') || typeof cell.properties.align !== 'string') return;
        const align = cell.properties.align.toLowerCase();
        delete cell.properties.align;
        if (['left', 'center', 'right'].includes(align)) cell.properties.className = [...(Array.isArray(cell.properties.className) ? cell.properties.className : []), `align-${align}`];
      });
      // A frame that scrolls must be reachable from the keyboard, and named for screen readers.
      const name = captionId ? { ariaLabelledBy: [captionId] } : { ariaLabel: uncaptionedName(node, file.data.labels?.table ?? 'Table {n}.') };
      const wrap: Element = { type: 'element', tagName: 'div', properties: { className: ['table-wrap'], role: 'region', tabIndex: 0, ...name }, children: [node], position: node.position };
      parent.children[index] = wrap;
      return [SKIP, index + 1];
    });
  };
}

function isCaption(node: Element): boolean {
  return node.tagName === 'p' && CAPTION.test(toString(node));
}

/**
 * A first header row, "Table 1 (continued)", for the pages after the first: Chromium repeats the
 * whole thead on every page a table breaks onto, and the template hides the row on the first
 * page (print.css) and in the handout. Hidden from assistive technology, which has the caption.
 */
function addContinuedRow(table: Element, text: string): void {
  const head = table.children.find((child): child is Element => child.type === 'element' && child.tagName === 'thead');
  const firstRow = head?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'tr');
  if (!head || !firstRow) return;
  const columns = firstRow.children.reduce((sum, cell) => sum + (cell.type === 'element' ? Number(cell.properties.colSpan ?? 1) : 0), 0);
  head.children.unshift({
    type: 'element',
    tagName: 'tr',
    properties: { className: ['table-continued'], ariaHidden: 'true' },
    children: [{ type: 'element', tagName: 'td', properties: { colSpan: columns }, children: [{ type: 'text', value: text }] }],
  });
}

/** A name for a table without caption: the word for table and its header row ("Table: Year, Trade"). */
function uncaptionedName(table: Element, label: string): string {
  const word = label.replace(/\{n\}/g, '').replace(/[\s.:：。]+$/u, '').trim() || 'Table';
  let header: Element | undefined;
  visit(table, 'element', (node) => {
    if (header || node.tagName !== 'tr') return;
    header = node;
  });
  const cells = header ? header.children.filter((child): child is Element => child.type === 'element').map((cell) => toString(cell).trim()).filter(Boolean) : [];
  return cells.length > 0 ? `${word}: ${cells.join(', ')}` : word;
}
