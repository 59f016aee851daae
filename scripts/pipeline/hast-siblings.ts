import type { Element, Root } from 'hast';

/** A sibling element and where it stands among its parent's children. */
export interface Sibling {
  node: Element;
  index: number;
}

/** The element right after `index` among `children`, past white space; none when text or another node comes first. */
export function nextElement(children: Root['children'], index: number): Sibling | undefined {
  for (let at = index + 1; at < children.length; at++) {
    const child = children[at]!;
    if (child.type === 'text' && child.value.trim() === '') continue;
    return child.type === 'element' ? { node: child, index: at } : undefined;
  }
  return undefined;
}

/** The element right before `index` among `children`, past white space; none when text or another node comes first. */
export function previousElement(children: Root['children'], index: number): Sibling | undefined {
  for (let at = index - 1; at >= 0; at--) {
    const child = children[at]!;
    if (child.type === 'text' && child.value.trim() === '') continue;
    return child.type === 'element' ? { node: child, index: at } : undefined;
  }
  return undefined;
}
