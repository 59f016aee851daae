import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { parseAttributes } from '../attributes.ts';
import { report, type Point } from '../messages.ts';

/** `{…}` right after an image: Pandoc's attribute syntax (what Word documents converted by Pandoc carry). */
const ATTRIBUTES = /^\{([^{}]*)\}/;
/** A CSS length briefs accept for an image: a number (pixels) or a number with a unit. */
const LENGTH = /^(\d+(?:\.\d+)?|\.\d+)(%|px|in|cm|mm|pt|pc|em|rem)?$/;

/**
 * Reads the size of images written with Pandoc's attribute syntax: `![Map](map.png){width=60%}`,
 * `{width=3in}`, `{height=200}` (pixels), or both (the image keeps its proportions when the page
 * is narrower). The block leaves the Markdown tree here, before remark-typography, so its quotes
 * are never text to curl; the style made from it is kept in file.data.imageSizes by the image's
 * source offset, and rehype-image-size sets it after the sanitizer. A value it cannot use, or
 * another attribute, is a warning at its place. Runs after remark-crossrefs, which takes a
 * `{#fig-…}` label from the block and leaves its width and height behind.
 */
export default function remarkImageSize() {
  return (tree: Root, file: VFile) => {
    const sizes = (file.data.imageSizes ??= new Map<number, string>());
    visit(tree, 'image', (image, index, parent) => {
      if (!parent || index === undefined) return;
      const next = parent.children[index + 1];
      if (next?.type !== 'text') return;
      const match = ATTRIBUTES.exec(next.value);
      if (!match) return;
      next.value = next.value.slice(match[0].length);
      if (next.value === '') parent.children.splice(index + 1, 1);
      const style = styleOf(match[0], file, next.position?.start);
      const offset = image.position?.start.offset;
      if (style && offset !== undefined) sizes.set(offset, style);
    });
  };
}

/** The CSS an attribute block gives an image, or undefined; what it cannot use is reported. */
function styleOf(block: string, file: VFile, at: Point | undefined): string | undefined {
  const attributes = parseAttributes(block);
  if (typeof attributes === 'string') {
    report(file, 'warning', `The attribute block "${block}" after the image cannot be read: ${attributes}; it is ignored. Write {width=60%}.`, 'image-size', at);
    return undefined;
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
  return declarations.length > 0 ? declarations.join('; ') : undefined;
}
