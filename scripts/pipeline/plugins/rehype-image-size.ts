import type { Element, Root, Text } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { parseAttributes } from '../attributes.ts';
import { report } from '../messages.ts';

/** `{…}` right after an image: Pandoc's attribute syntax (what Word documents converted by Pandoc carry). */
const ATTRIBUTES = /^\{([^{}]*)\}/;
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
      size(node, match[0], next, file);
    });
  };
}

function size(image: Element, block: string, text: Text, file: VFile): void {
  const at = text.position?.start;
  // remark-typography curls the quotes of text it sees, and the block was text until now.
  const attributes = parseAttributes(block.replace(/[“”„]/g, '"').replace(/[‘’]/g, "'"));
  if (typeof attributes === 'string') {
    report(file, 'warning', `The attribute block "${block}" after the image cannot be read: ${attributes}; it is ignored. Write {width=60%}.`, 'image-size', at);
    return;
  }
  const lengths: Record<string, string> = {};
  const others = [...(attributes.id ? [`#${attributes.id}`] : []), ...attributes.classes.map((name) => `.${name}`)];
  for (const [key, raw] of Object.entries(attributes.values)) {
    const name = key.toLowerCase();
    const value = raw.trim();
    if (name === 'width' || name === 'height') {
      const length = LENGTH.exec(value);
      if (length) lengths[name] = `${length[1]}${length[2] ?? 'px'}`;
      else report(file, 'warning', `Image size ${name}=${value} is not a length brief can use: write a number with %, px, in, cm, mm or pt, such as {width=60%}.`, 'image-size', at);
    } else others.push(`${key}=${value}`);
  }
  for (const other of others) report(file, 'warning', `Image attribute "${other}" is ignored: images take only {width=…} and {height=…}.`, 'image-size', at);
  const { width, height } = lengths;
  const unit = (length: string) => /[a-z%]+$/.exec(length)![0];
  const declarations: string[] = [];
  if (width) declarations.push(`width: ${width}`);
  // Both in one unit: keep the proportions when max-width narrows the image on a small page.
  if (width && height && unit(width) === unit(height) && unit(width) !== '%') declarations.push(`aspect-ratio: ${parseFloat(width)} / ${parseFloat(height)}`, 'height: auto');
  else if (height) declarations.push(`height: ${height}`, ...(width ? [] : ['width: auto']));
  if (declarations.length > 0) image.properties.style = declarations.join('; ');
}
