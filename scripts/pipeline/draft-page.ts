import type { Element, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { visit, SKIP } from 'unist-util-visit';

/** What the template is given as the body of the draft: an element no template or brief writes. */
export const BODY_SLOT = '<brief-body-slot></brief-body-slot>';

/** The whole page as one tree, and the text of its <style> elements. */
export interface DraftPage {
  tree: Root;
  /** The template's CSS and its page rules (running heads), in page order. */
  stylesheets: string[];
}

/**
 * The page as a tree, for the steps that look at the whole page (its ids and links, the
 * characters each font draws): the template's markup, rendered around BODY_SLOT and parsed, with
 * the body's own tree from the Markdown step put in the slot, so the body is never turned into
 * HTML and parsed back. <style> elements are emptied into `stylesheets` (their CSS is no text
 * the page draws).
 */
export function draftPage(html: string, body: Root): DraftPage {
  const tree = fromHtml(html);
  const stylesheets: string[] = [];
  visit(tree, 'element', (node, index, parent) => {
    if (node.tagName === 'style') {
      stylesheets.push(node.children.map((child) => (child.type === 'text' ? child.value : '')).join(''));
      node.children = [];
      return SKIP;
    }
    if (node.tagName === 'brief-body-slot' && parent && index !== undefined) {
      parent.children.splice(index, 1, ...(body.children as (Element | RootContent)[] as Element[]));
      return [SKIP, index + body.children.length];
    }
    return undefined;
  });
  return { tree, stylesheets };
}
