import type { Element, ElementContent, Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * For a PDF with footnotes (`notes: footnotes`): the notes list becomes a pool of footnotes,
 * each a `div.footnote` (role doc-footnote, its number a link back to its reference), which the
 * print takes one by one to the foot of the page that cites it (lay-out-footnotes.ts). The pool
 * itself is hidden; a note that fits no page stays in it and prints under "Notes" at the end.
 */
export default function rehypeFootnotes() {
  return (tree: Root) => {
    visit(tree, 'element', (node) => {
      if (node.tagName !== 'section' || node.properties.dataFootnotes === undefined) return;
      const list = node.children.find((child): child is Element => child.type === 'element' && child.tagName === 'ol');
      if (!list) return;
      const items = list.children.filter((child): child is Element => child.type === 'element' && child.tagName === 'li');
      const notes = items.map((item, index) => footnote(item, index + 1));
      // Still an endnotes list to the template's styles, for when it shows (see above).
      node.properties.className = ['footnotes', 'endnotes', 'footnotes-pool'];
      node.children = node.children.map((child) => (child === list ? { type: 'element', tagName: 'div', properties: { className: ['footnotes-list'] }, children: notes } : child));
      return 'skip';
    });
  };
}

/** One list item of remark-rehype's notes as a footnote: number first, back link gone. */
function footnote(item: Element, number: number): Element {
  let back: string | undefined;
  const strip = (nodes: ElementContent[]): ElementContent[] =>
    nodes.flatMap((child): ElementContent[] => {
      if (child.type !== 'element') return [child];
      if (child.properties.dataFootnoteBackref !== undefined) {
        back ??= String(child.properties.href ?? '');
        return [];
      }
      return [{ ...child, children: strip(child.children) }];
    });
  const children = strip(item.children);
  // The space remark-rehype put before the back link.
  const trimEnd = (element: Element) => {
    const last = element.children[element.children.length - 1];
    if (last?.type === 'text') last.value = last.value.replace(/\s+$/, '');
  };
  const label: Element = { type: 'element', tagName: 'a', properties: { className: ['footnote-number'], href: back || undefined }, children: [{ type: 'text', value: String(number) }] };
  const firstParagraph = children.find((child): child is Element => child.type === 'element');
  if (firstParagraph?.tagName === 'p') {
    firstParagraph.children.unshift(label, { type: 'text', value: ' ' });
  } else {
    children.unshift({ type: 'element', tagName: 'p', properties: {}, children: [label] });
  }
  for (const child of children) if (child.type === 'element') trimEnd(child);
  return {
    type: 'element',
    tagName: 'div',
    properties: { id: item.properties.id, className: ['footnote'], role: 'doc-footnote', dataNumber: String(number) },
    children: children.filter((child) => child.type !== 'text' || child.value.trim() !== ''),
  };
}
