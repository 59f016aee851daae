import type { Element, ElementContent, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';

/**
 * Side notes for the handout: after each footnote reference, a copy of its note that the
 * template shows beside the paragraph on wide screens (CSS only) and hides elsewhere. The copy is
 * hidden from screen readers, has no links and no ids: the notes list at the end stays the one
 * linked both ways.
 */
export default function rehypeSideNotes() {
  return (tree: Root) => {
    const notes = new Map<string, Element>();
    visit(tree, 'element', (node) => {
      if (node.tagName === 'section' && node.properties.dataFootnotes !== undefined) {
        visit(node, 'element', (item) => {
          if (item.tagName === 'li' && typeof item.properties.id === 'string') notes.set(item.properties.id, item);
        });
        return 'skip';
      }
    });
    if (notes.size === 0) return;
    const numbers = new Map([...notes.keys()].map((id, index) => [id, index + 1]));
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'sup' || !parent || index === undefined) return;
      const ref = node.children.find((child): child is Element => child.type === 'element' && child.properties.dataFootnoteRef !== undefined);
      const id = ref ? decodeURIComponent(String(ref.properties.href ?? '').slice(1)) : '';
      const note = notes.get(id);
      if (!note) return;
      const copy: Element = {
        type: 'element',
        tagName: 'span',
        properties: { className: ['side-note'], ariaHidden: 'true' },
        children: [{ type: 'element', tagName: 'span', properties: { className: ['side-note-number'] }, children: [{ type: 'text', value: String(numbers.get(id)) }] }, { type: 'text', value: ' ' }, ...phrasing(note.children)],
      };
      parent.children.splice(index + 1, 0, copy);
      return index + 2;
    });
  };
}

/** A note's content as phrasing content: paragraphs become spans, links plain text, blocks their text. */
function phrasing(nodes: ElementContent[]): ElementContent[] {
  return nodes.flatMap((child): ElementContent[] => {
    if (child.type === 'text') return child.value.trim() === '' ? [] : [child];
    if (child.type !== 'element') return [];
    if (child.properties.dataFootnoteBackref !== undefined) return [];
    const { id: _id, ...properties } = child.properties;
    if (child.tagName === 'p') return [{ type: 'element', tagName: 'span', properties: { className: ['side-note-paragraph'] }, children: phrasing(child.children) }];
    if (child.tagName === 'a') return [{ type: 'element', tagName: 'span', properties: {}, children: phrasing(child.children) }];
    if (['em', 'strong', 'code', 'i', 'b', 'sub', 'sup', 'abbr', 'span', 'kbd', 'del', 's', 'q', 'cite', 'br'].includes(child.tagName)) return [{ ...child, properties, children: phrasing(child.children) }];
    return [{ type: 'element', tagName: 'span', properties: { className: ['side-note-paragraph'] }, children: [{ type: 'text', value: toString(child) }] }];
  });
}
