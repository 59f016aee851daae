import type { Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { report } from '../messages.ts';

/**
 * Lifts the `:::key-points` block out of the body: the template shows it in the key-points box on
 * the first page (file.data.keyPointsHtml). A second block is an error in the making: warned.
 */
export default function rehypeKeyPoints() {
  return (tree: Root, file: VFile) => {
    visit(tree, 'element', (node, index, parent) => {
      const classes = node.properties.className;
      if (!Array.isArray(classes) || !classes.includes('key-points-content') || !parent || index === undefined) return;
      if (file.data.keyPointsHtml) {
        report(file, 'warning', 'A second :::key-points block: only one key-points box is printed; merge them.', 'duplicate-key-points', node.position?.start);
      } else {
        file.data.keyPointsHtml = toHtml(node.children);
      }
      parent.children.splice(index, 1);
      return [SKIP, index];
    });
  };
}
