import type { Paragraph, Root, RootContent } from 'mdast';
import type { ContainerDirective, LeafDirective, TextDirective } from 'mdast-util-directive';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { report } from '../messages.ts';

/** The blocks a brief may use, with the element each becomes. */
const BLOCKS = ['key-points', 'callout', 'sidebar', 'pullquote'] as const;
const CALLOUT_TYPES = ['note', 'tip', 'important', 'warning'] as const;

/**
 * Turns the brief's `:::` blocks into elements the template styles: `:::key-points`,
 * `:::callout{type=note}`, `:::sidebar[Title]` and `:::pullquote`. Unknown blocks are warned
 * about and kept as plain divisions. Text and leaf directives are not a feature of briefs, so
 * they go back to the text the author typed (`Note:this` must not lose its colon).
 */
export default function remarkDirectives() {
  return (tree: Root, file: VFile) => {
    visit(tree, (node, index, parent) => {
      if (node.type === 'textDirective' || node.type === 'leafDirective') {
        if (parent && index !== undefined) {
          parent.children.splice(index, 1, ...literal(node, file));
          return [SKIP, index];
        }
        return;
      }
      if (node.type !== 'containerDirective') return;
      const name = node.name as (typeof BLOCKS)[number];
      const label = takeLabel(node);
      const data = (node.data ??= {});
      switch (name) {
        case 'key-points':
          data.hName = 'div';
          data.hProperties = { className: ['key-points-content'] };
          break;
        case 'callout': {
          const requested = node.attributes?.type ?? 'note';
          const type = (CALLOUT_TYPES as readonly string[]).includes(requested) ? requested : 'note';
          if (type !== requested) {
            report(file, 'warning', `Unknown callout type "${requested}"; using "note". Types: ${CALLOUT_TYPES.join(', ')}.`, 'unknown-directive', node.position?.start);
          }
          data.hName = 'aside';
          data.hProperties = { className: ['callout', `callout-${type}`] };
          node.children.unshift(title('callout-title', label ?? file.data.labels?.[`callout_${type}`] ?? type));
          break;
        }
        case 'sidebar':
          data.hName = 'aside';
          data.hProperties = { className: ['sidebar'] };
          if (label) node.children.unshift(title('sidebar-title', label));
          break;
        case 'pullquote':
          data.hName = 'aside';
          // A pull quote repeats the text: screen readers should not read it twice.
          data.hProperties = { className: ['pullquote'], ariaHidden: 'true' };
          break;
        default:
          report(file, 'warning', `Unknown block ":::${node.name}"; it is kept as plain text. Blocks: ${BLOCKS.join(', ')}.`, 'unknown-directive', node.position?.start);
          data.hName = 'div';
      }
    });
  };
}

/** A title line for a box: a paragraph with a class, styled by the template. */
function title(className: string, text: string): Paragraph {
  return { type: 'paragraph', data: { hProperties: { className: [className] } }, children: [{ type: 'text', value: text }] };
}

/** Removes the `[label]` paragraph remark-directive puts first, returning its text. */
function takeLabel(node: ContainerDirective): string | undefined {
  const first = node.children[0];
  if (first?.type === 'paragraph' && first.data?.directiveLabel) {
    node.children.shift();
    return toText(first);
  }
  return undefined;
}

function toText(paragraph: Paragraph): string {
  let out = '';
  visit(paragraph, 'text', (text) => {
    out += text.value;
  });
  return out.trim();
}

/** The source text of a directive that is not ours, as plain text nodes. */
function literal(node: TextDirective | LeafDirective, file: VFile): RootContent[] {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  const source = start !== undefined && end !== undefined ? String(file.value).slice(start, end) : `:${node.name}`;
  const text = { type: 'text' as const, value: source, position: node.position };
  return node.type === 'leafDirective' ? [{ type: 'paragraph', children: [text], position: node.position }] : [text];
}
