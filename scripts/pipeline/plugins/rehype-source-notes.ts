import type { Element, ElementContent, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import { visit, SKIP } from 'unist-util-visit';

/** How a source note starts, in the languages briefs are written in. */
const SOURCE = /^(Sources?|出典|資料)\s*[:：]/u;

/**
 * A paragraph starting `Source:` (or `出典：`) right after a figure or a table becomes that
 * block's source note: set small under it, and wrapped with it in one block the print keeps on a
 * single page (a chart's data table, between the two, goes into the block too).
 */
export default function rehypeSourceNotes() {
  return (tree: Root) => {
    visit(tree, 'element', (node, index, parent) => {
      if (!parent || index === undefined || !isBlock(node)) return;
      let end = index;
      let next = nextElement(parent.children, end);
      if (next && next.node.tagName === 'details' && hasClass(next.node, 'chart-data')) {
        end = next.index;
        next = nextElement(parent.children, end);
      }
      if (!next || next.node.tagName !== 'p' || !SOURCE.test(toString(next.node).trim())) return;
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

function nextElement(children: Root['children'], index: number): { node: Element; index: number } | undefined {
  for (let at = index + 1; at < children.length; at++) {
    const child = children[at]!;
    if (child.type === 'text' && child.value.trim() === '') continue;
    return child.type === 'element' ? { node: child, index: at } : undefined;
  }
  return undefined;
}
