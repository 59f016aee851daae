import type { Root } from 'hast';
import { headingRank } from 'hast-util-heading-rank';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import type { Heading } from '../file-data.ts';

/**
 * Lists the body's headings, in order, with the ids rehype-slug gave them: the table of contents,
 * the PDF outline check and `brief check` read file.data.headings.
 */
export default function rehypeHeadings() {
  return (tree: Root, file: VFile) => {
    const headings: Heading[] = [];
    visit(tree, 'element', (node) => {
      const depth = headingRank(node);
      if (depth === undefined) return;
      headings.push({ id: String(node.properties.id ?? ''), depth, text: toString(node).trim(), line: node.position?.start.line, column: node.position?.start.column });
    });
    file.data.headings = headings;
  };
}
