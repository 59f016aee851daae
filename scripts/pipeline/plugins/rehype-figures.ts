import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import { toString } from 'hast-util-to-string';
import { visit, SKIP } from 'unist-util-visit';

/** "Figure 2:", "Fig. 2." before a caption: brief numbers figures itself. */
const NUMBERED = /^(?:Figure|Fig\.)\s*\d+\s*[:.]\s*/i;

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
      let title = typeof image.properties.title === 'string' ? image.properties.title.trim() : '';
      const label = typeof image.properties.id === 'string' && image.properties.id.startsWith('fig-') ? image.properties.id : undefined;
      delete image.properties.title;
      if (label) delete image.properties.id;
      const alt = typeof image.properties.alt === 'string' ? image.properties.alt.trim() : '';
      // A Word document converted by Pandoc has its caption as the next paragraph: the alt text
      // again, or "Figure 2: …". It becomes the caption instead of a line of its own.
      const next = title ? undefined : nextParagraph(parent.children, index);
      const nextText = next ? toString(next.node).trim() : '';
      if (next && nextText && (nextText === alt || NUMBERED.test(nextText))) {
        title = nextText.replace(NUMBERED, '').trim();
        parent.children.splice(next.index, 1);
      }
      const children: ElementContent[] = [image];
      const figure: Element = { type: 'element', tagName: 'figure', properties: { className: ['figure'] }, children, position: node.position };
      if (title || label) caption(figure, title || alt, label);
      parent.children[index] = figure;
      return SKIP;
    });
  };
}

/** The paragraph after `index`, past blank text. */
function nextParagraph(children: (Root | Element)['children'], index: number): { node: Element; index: number } | undefined {
  for (let at = index + 1; at < children.length; at++) {
    const child = children[at]!;
    if (child.type === 'text' && child.value.trim() === '') continue;
    return child.type === 'element' && child.tagName === 'p' ? { node: child, index: at } : undefined;
  }
  return undefined;
}
