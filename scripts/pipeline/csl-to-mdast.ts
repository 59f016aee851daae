import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { Parent, PhrasingContent } from 'mdast';

/**
 * A run of formatted citation text in the Markdown: phrase nodes that print as the element named
 * by data.hName (a span for a citation, sup or sub, a small-caps span).
 */
declare module 'mdast' {
  interface Citation extends Parent {
    type: 'citation';
    children: PhrasingContent[];
  }
  interface PhrasingContentMap {
    citation: Citation;
  }
  interface RootContentMap {
    citation: Citation;
  }
}

/**
 * The CSL processor's HTML as Markdown phrasing nodes (text, emphasis, strong, links and
 * super/subscripts), so it is sanitized and rendered like everything else in the brief.
 */
export function cslToMdast(html: string): PhrasingContent[] {
  const convert = (nodes: ElementContent[]): PhrasingContent[] =>
    nodes.flatMap((node): PhrasingContent[] => {
      if (node.type === 'text') return node.value ? [{ type: 'text', value: node.value }] : [];
      if (node.type !== 'element') return [];
      const children = convert(node.children);
      switch (node.tagName) {
        case 'i':
        case 'em':
          return [{ type: 'emphasis', children }];
        case 'b':
        case 'strong':
          return [{ type: 'strong', children }];
        case 'a': {
          const href = String(node.properties.href ?? '');
          return /^https?:\/\//i.test(href) ? [{ type: 'link', url: href, children }] : children;
        }
        case 'sup':
        case 'sub':
          return [{ type: 'citation', children, data: { hName: node.tagName } }];
        case 'span':
          return smallCaps(node) ? [{ type: 'citation', children, data: { hName: 'span', hProperties: { className: ['small-caps'] } } }] : children;
        default:
          return children;
      }
    });
  const root: HastRoot = fromHtml(html.trim(), { fragment: true });
  return trimEnds(convert(root.children as ElementContent[]));
}

function smallCaps(node: Element): boolean {
  return String(node.properties.style ?? '').replace(/\s/g, '').includes('font-variant:small-caps');
}

/** Without the processor's indentation and line breaks around an entry. */
function trimEnds(nodes: PhrasingContent[]): PhrasingContent[] {
  const first = nodes[0];
  if (first?.type === 'text') first.value = first.value.replace(/^\s+/, '');
  const last = nodes.at(-1);
  if (last?.type === 'text') last.value = last.value.replace(/\s+$/, '');
  return nodes.filter((node) => node.type !== 'text' || node.value !== '');
}
