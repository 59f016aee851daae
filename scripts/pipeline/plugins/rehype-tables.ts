import type { Element, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';

const CAPTION = /^Table:\s*/;

/**
 * Gives tables a caption and a frame: a paragraph `Table: …` just before a table becomes its
 * numbered <caption> ("Table 1. …"), and each table is wrapped in a scrolling frame for narrow
 * screens. The header row repeats on every printed page through CSS (thead is a header group).
 */
export default function rehypeTables() {
  return (tree: Root, file: VFile) => {
    let count = 0;
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'table' || !parent || index === undefined) return;
      const previous = previousElement(parent.children, index);
      if (previous && previous.node.tagName === 'p' && CAPTION.test(toString(previous.node))) {
        count++;
        const label = (file.data.labels?.table ?? 'Table {n}').replace('{n}', String(count));
        const first = previous.node.children[0];
        if (first?.type === 'text') first.value = first.value.replace(CAPTION, '');
        node.children.unshift({
          type: 'element',
          tagName: 'caption',
          properties: {},
          children: [{ type: 'element', tagName: 'span', properties: { className: ['table-label'] }, children: [{ type: 'text', value: label }] }, { type: 'text', value: ' ' }, ...previous.node.children],
        });
        node.properties.id ??= `table-${count}`;
        parent.children.splice(previous.index, index - previous.index);
        index = previous.index;
      }
      const wrap: Element = { type: 'element', tagName: 'div', properties: { className: ['table-wrap'] }, children: [node], position: node.position };
      parent.children[index] = wrap;
      return [SKIP, index + 1];
    });
  };
}

function previousElement(children: Root['children'], index: number): { node: Element; index: number } | undefined {
  for (let at = index - 1; at >= 0; at--) {
    const child = children[at]!;
    if (child.type === 'text' && child.value.trim() === '') continue;
    return child.type === 'element' ? { node: child, index: at } : undefined;
  }
  return undefined;
}
