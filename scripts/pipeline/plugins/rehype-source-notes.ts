import type { Element, ElementContent, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { nextElement } from '../hast-siblings.ts';

/** Source words recognised in every brief, whatever its template's labels say. */
const ALWAYS = 'Source, Sources, Note, Notes, 出典, 資料, 注';

/**
 * Notes of sources under figures and tables: a paragraph right after a figure or a table that
 * starts with a source word of the template's language ("Source:", "Notes:", "出典："; the
 * template's `source_note_words` label, plus those of ALWAYS) becomes that block's source note (class "source-note"),
 * set small under it and wrapped with it in one block (class "with-source") that the print keeps
 * on a single page. A chart's data table, between the two, goes into the block too.
 */
export default function rehypeSourceNotes() {
  return (tree: Root, file: VFile) => {
    // The template's words for the brief's language, and always those of both editions' languages:
    // an English brief quoting a Japanese source writes 出典：, and the other way round.
    const words = [...new Set(`${file.data.labels?.source_note_words ?? ''},${ALWAYS}`.split(/[,、]/).map((word) => word.trim()).filter(Boolean))];
    const isSourceNote = (paragraph: Element) => {
      const text = toString(paragraph).trimStart();
      return words.some((word) => text.startsWith(word) && /^\s*[:：]/.test(text.slice(word.length)));
    };
    visit(tree, 'element', (node, index, parent) => {
      if (!parent || index === undefined || !isBlock(node)) return;
      let end = index;
      let next = nextElement(parent.children, end);
      if (next && next.node.tagName === 'details' && hasClass(next.node, 'chart-data')) {
        end = next.index;
        next = nextElement(parent.children, end);
      }
      if (!next || next.node.tagName !== 'p' || !isSourceNote(next.node)) return;
      next.node.properties.className = ['source-note'];
      const members = parent.children.slice(index, next.index + 1) as ElementContent[];
      const wrapper: Element = { type: 'element', tagName: 'div', properties: { className: ['with-source'] }, children: members, position: node.position };
      parent.children.splice(index, next.index + 1 - index, wrapper);
      return [SKIP, index + 1];
    });
  };
}

function isBlock(node: Element): boolean {
  return (node.tagName === 'figure' && hasClass(node, 'figure')) || (node.tagName === 'div' && hasClass(node, 'table-wrap'));
}

function hasClass(node: Element, name: string): boolean {
  const classes = node.properties.className;
  return Array.isArray(classes) && classes.includes(name);
}
