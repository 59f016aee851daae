import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';

/**
 * An image alone in its paragraph becomes a figure; its Markdown title becomes a numbered
 * caption: `![Map of bases](map.png "U.S. bases in Japan")` gives "Figure 1. U.S. bases in Japan".
 * Figures are numbered in document order, with the id `figure-N` for cross-references.
 */
export default function rehypeFigures() {
  return (tree: Root, file: VFile) => {
    let count = 0;
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'p' || !parent || index === undefined) return;
      const content = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
      const image = content[0];
      if (content.length !== 1 || image?.type !== 'element' || image.tagName !== 'img') return;
      const caption = typeof image.properties.title === 'string' ? image.properties.title.trim() : '';
      delete image.properties.title;
      const children: ElementContent[] = [image];
      const figure: Element = { type: 'element', tagName: 'figure', properties: { className: ['figure'] }, children, position: node.position };
      if (caption) {
        count++;
        figure.properties.id = `figure-${count}`;
        const label = (file.data.labels?.figure ?? 'Figure {n}').replace('{n}', String(count));
        children.push({
          type: 'element',
          tagName: 'figcaption',
          properties: {},
          children: [
            { type: 'element', tagName: 'span', properties: { className: ['figure-label'] }, children: [{ type: 'text', value: label }] },
            { type: 'text', value: ` ${caption}` },
          ],
        });
      }
      parent.children[index] = figure;
      return SKIP;
    });
  };
}
