import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';

/**
 * An image alone in its paragraph becomes a figure; its Markdown title becomes a numbered
 * caption: `![Map of bases](map.png "U.S. bases in Japan")` gives "Figure 1. U.S. bases in Japan".
 * A labelled image (`![Map of bases](map.png){#fig-bases}`, the label moved onto the image by
 * remark-crossrefs) is numbered too, its alternative text the caption when it has no title, as in
 * Quarto. Charts (figures from rehype-charts) are numbered in the same run, in document order.
 * A figure's id is its label, else `figure-N`; numbers go on file.data.numbered for references.
 */
export default function rehypeFigures() {
  return (tree: Root, file: VFile) => {
    let count = 0;
    const numbered = (file.data.numbered ??= {});
    const caption = (figure: Element, text: string, label: string | undefined) => {
      count++;
      figure.properties.id = label ?? `figure-${count}`;
      if (label) numbered[label] = { kind: 'fig', number: String(count) };
      const prefix = (file.data.labels?.figure ?? 'Figure {n}').replace('{n}', String(count));
      figure.children.push({
        type: 'element',
        tagName: 'figcaption',
        properties: {},
        children: [
          { type: 'element', tagName: 'span', properties: { className: ['figure-label'] }, children: [{ type: 'text', value: prefix }] },
          ...(text ? [{ type: 'text' as const, value: ` ${text}` }] : []),
        ],
      });
    };
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName === 'figure' && node.data?.numbered) {
        caption(node, node.data.caption ?? '', typeof node.properties.id === 'string' ? node.properties.id : undefined);
        return SKIP;
      }
      if (node.tagName !== 'p' || !parent || index === undefined) return;
      const content = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
      const image = content[0];
      if (content.length !== 1 || image?.type !== 'element' || image.tagName !== 'img') return;
      const title = typeof image.properties.title === 'string' ? image.properties.title.trim() : '';
      const label = typeof image.properties.id === 'string' && image.properties.id.startsWith('fig-') ? image.properties.id : undefined;
      delete image.properties.title;
      if (label) delete image.properties.id;
      const alt = typeof image.properties.alt === 'string' ? image.properties.alt.trim() : '';
      const children: ElementContent[] = [image];
      const figure: Element = { type: 'element', tagName: 'figure', properties: { className: ['figure'] }, children, position: node.position };
      if (title || label) caption(figure, title || alt, label);
      parent.children[index] = figure;
      return SKIP;
    });
  };
}
