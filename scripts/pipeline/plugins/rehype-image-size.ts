import type { Root } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';

/**
 * Sets the size remark-image-size read from an image's `{width=…}`/`{height=…}` block (kept in
 * file.data.imageSizes by the image's source offset). Runs after the sanitizer, so the style it
 * sets is ours, made only from lengths remark-image-size has checked.
 */
export default function rehypeImageSize() {
  return (tree: Root, file: VFile) => {
    const sizes = file.data.imageSizes;
    if (!sizes || sizes.size === 0) return;
    visit(tree, 'element', (node) => {
      const offset = node.position?.start.offset;
      if (node.tagName !== 'img' || offset === undefined) return;
      const style = sizes.get(offset);
      if (style) node.properties.style = style;
    });
  };
}
