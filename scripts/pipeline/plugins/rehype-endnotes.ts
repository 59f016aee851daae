import type { Root } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';

/**
 * Footnotes become endnotes under a visible "Notes" heading in the brief's language (remark-rehype
 * writes a hidden English "Footnotes" label). The links between a reference and its note stay, so
 * the HTML has linked notes and the PDF clickable ones.
 */
export default function rehypeEndnotes() {
  return (tree: Root, file: VFile) => {
    visit(tree, 'element', (node) => {
      if (node.tagName !== 'section' || node.properties.dataFootnotes === undefined) return;
      node.properties.className = ['footnotes', 'endnotes'];
      const heading = node.children.find((child) => child.type === 'element' && /^h[1-6]$/.test(child.tagName));
      if (heading?.type === 'element') {
        delete heading.properties.className;
        heading.children = [{ type: 'text', value: file.data.labels?.notes ?? 'Notes' }];
      }
    });
  };
}
