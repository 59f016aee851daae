import type { Element, Root, Text } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { report } from '../messages.ts';

/** `{…}` right after an image: Pandoc's attribute syntax (what Word documents converted by Pandoc carry). */
const ATTRIBUTES = /^\{([^{}]*)\}/;
/** One attribute: `#id`, `.class` or `key=value` (the value bare or quoted). */
const ATTRIBUTE = /([#.][^\s#.{}]+)|([A-Za-z][\w-]*)=("[^"]*"|'[^']*'|[^\s"'{}]+)/g;
/** A CSS length briefs accept for an image: a number (pixels) or a number with a unit. */
const LENGTH = /^(\d+(?:\.\d+)?|\.\d+)(%|px|in|cm|mm|pt|pc|em|rem)?$/;

/**
 * Sizes images written with Pandoc's attribute syntax: `![Map](map.png){width=60%}`,
 * `{width=3in}`, `{height=200}` (pixels), or both (the image keeps its proportions when the page
 * is narrower). Runs after the sanitizer, so the style it sets is ours, made only from lengths
 * it has checked. A value it cannot use, or another attribute, is a warning at its place.
 */
export default function rehypeImageSize() {
  return (tree: Root, file: VFile) => {
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'img' || !parent || index === undefined) return;
      const next = parent.children[index + 1];
      if (next?.type !== 'text') return;
      const match = ATTRIBUTES.exec(next.value);
      if (!match) return;
      next.value = next.value.slice(match[0].length);
      if (next.value === '') parent.children.splice(index + 1, 1);
      size(node, match[1]!, next, file);
    });
  };
}

function size(image: Element, attributes: string, text: Text, file: VFile): void {
  const at = text.position?.start;
  const lengths: Record<string, string> = {};
  for (const [, idOrClass, key, quoted] of attributes.matchAll(ATTRIBUTE)) {
    const name = key?.toLowerCase();
    const value = quoted?.replace(/^["']|["']$/g, '').trim() ?? '';
    if (name === 'width' || name === 'height') {
      const length = LENGTH.exec(value);
      if (length) lengths[name] = `${length[1]}${length[2] ?? 'px'}`;
      else report(file, 'warning', `Image size ${name}=${value} is not a length brief can use: write a number with %, px, in, cm, mm or pt, such as {width=60%}.`, 'image-size', at);
    } else {
      report(file, 'warning', `Image attribute "${idOrClass ?? `${key}=${value}`}" is ignored: images take only {width=…} and {height=…}.`, 'image-size', at);
    }
  }
  const { width, height } = lengths;
  const unit = (length: string) => /[a-z%]+$/.exec(length)![0];
  const declarations: string[] = [];
  if (width) declarations.push(`width: ${width}`);
  // Both in one unit: keep the proportions when max-width narrows the image on a small page.
  if (width && height && unit(width) === unit(height) && unit(width) !== '%') declarations.push(`aspect-ratio: ${parseFloat(width)} / ${parseFloat(height)}`, 'height: auto');
  else if (height) declarations.push(`height: ${height}`, ...(width ? [] : ['width: auto']));
  if (declarations.length > 0) image.properties.style = declarations.join('; ');
}
