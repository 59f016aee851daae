import type { Element, Root } from 'hast';
import { visit, EXIT } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { location } from 'vfile-location';
import type { Point } from './messages.ts';

/** Where in the source something of the built page was written, found in the body's tree. */
export interface BodyPlaces {
  /** The element with this id (the first, or the last of several). */
  id(id: string, which: 'first' | 'last'): Point | undefined;
  /** The link with this href (at the "[" of a Markdown link). */
  link(href: string): Point | undefined;
  /** The element that asks for this address (src, href, poster…), as written or resolved against `base`. */
  url(url: string, base?: string): Point | undefined;
  /** The first place this text is written: in the body, else in a front-matter value. */
  text(text: string): Point | undefined;
}

/** Attributes that hold an address the page may load or go to. */
const URL_PROPERTIES = ['src', 'href', 'poster', 'data', 'srcSet', 'action', 'cite', 'background'];

/**
 * Place finders over the body's tree as the Markdown step made it, each node carrying its place
 * in the source. The node is found in the tree, never by searching the source; only inside the
 * node's own span is a value's column looked up (an attribute's address, a character of a text),
 * with offsets turned into line and column by vfile-location.
 */
export function bodyPlaces(tree: Root, file: VFile): BodyPlaces {
  const source = String(file.value);
  const lines = location(file);
  const elements: Element[] = [];
  visit(tree, 'element', (node) => {
    elements.push(node);
  });
  /** Where `written` is inside the element's own source (its attribute value, say), if it is there as written. */
  const within = (node: Element, written: string): Point | undefined => {
    const from = node.position?.start.offset;
    const to = node.position?.end.offset;
    if (from === undefined || to === undefined) return undefined;
    const index = source.slice(from, to).indexOf(written);
    const point = index === -1 ? undefined : lines.toPoint(from + index);
    return point && { line: point.line, column: point.column };
  };
  const start = (node: Element | undefined): Point | undefined => (node?.position ? { line: node.position.start.line, column: node.position.start.column } : undefined);
  return {
    id(id, which) {
      const withId = elements.filter((node) => node.properties.id === id && node.position);
      return start(which === 'first' ? withId[0] : withId.at(-1));
    },
    link(href) {
      return start(elements.find((node) => node.tagName === 'a' && node.properties.href === href && node.position));
    },
    url(url, base) {
      const matches = (value: unknown): boolean => {
        if (typeof value !== 'string' || value === '') return false;
        if (value === url) return true;
        try {
          return new URL(value, base).href === url;
        } catch {
          return false;
        }
      };
      for (const node of elements) {
        if (!node.position) continue;
        for (const name of URL_PROPERTIES) {
          const value = node.properties[name];
          const written = (Array.isArray(value) ? value.map((part) => String(part).trim().split(/\s+/)[0]) : [value]).find(matches);
          if (typeof written === 'string') return within(node, written) ?? start(node);
        }
        // An address in CSS: a <style> element's text, or a style attribute.
        const css = node.tagName === 'style' ? node.children.map((child) => (child.type === 'text' ? child.value : '')).join('') : node.properties.style;
        if (typeof css === 'string' && css.includes(url)) return within(node, url) ?? start(node);
      }
      return undefined;
    },
    text(text) {
      let found: Point | undefined;
      visit(tree, 'text', (node) => {
        if (!node.value.includes(text) || !node.position) return;
        const from = node.position.start.offset;
        const to = node.position.end.offset;
        const index = from === undefined || to === undefined ? -1 : source.slice(from, to).indexOf(text);
        const point = index === -1 ? node.position.start : lines.toPoint(from! + index)!;
        found = { line: point.line, column: point.column };
        return EXIT;
      });
      return found ?? file.data.frontMatter?.findText(text);
    },
  };
}
