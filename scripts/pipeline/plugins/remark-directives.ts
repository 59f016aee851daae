import type { Blockquote, Paragraph, Parent, Root, RootContent } from 'mdast';
import type { ContainerDirective, LeafDirective, TextDirective } from 'mdast-util-directive';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { report } from '../messages.ts';

/** The blocks a brief may use, with the element each becomes. */
const BLOCKS = ['key-points', 'callout', 'sidebar', 'pullquote'] as const;
/** Callout types; `caution` (GitHub's fifth alert type) is styled as a warning unless the template styles `.callout-caution`. */
export const CALLOUT_TYPES = ['note', 'tip', 'important', 'warning', 'caution'] as const;
export type CalloutType = (typeof CALLOUT_TYPES)[number];

/**
 * Turns the brief's `:::` blocks into elements the template styles: `:::key-points`,
 * `:::callout{type=note}`, `:::sidebar[Title]` and `:::pullquote`. Unknown blocks are warned
 * about and kept as plain divisions. Text and leaf directives are not a feature of briefs, so
 * they go back to the text the author typed (`Note:this` must not lose its colon).
 * Callouts and sidebars are `<aside>` landmarks, named afterwards by remark-name-landmarks.
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
      reportUnclosed(node, parent, file);
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
          makeCallout(node, type as CalloutType, label, file);
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

/**
 * Makes a block (a `:::callout` or a GitHub alert's quote) the template's callout of `type`, with
 * `label` or the type's name in the brief's language (labels.yaml `callout_<type>`) as its title.
 * A caution carries the warning class too, so a template without caution styles shows a warning.
 */
export function makeCallout(node: ContainerDirective | Blockquote, type: CalloutType, label: string | undefined, file: VFile): string {
  const data = (node.data ??= {});
  data.hName = 'aside';
  data.hProperties = { className: type === 'caution' ? ['callout', 'callout-warning', 'callout-caution'] : ['callout', `callout-${type}`] };
  const labels = file.data.labels ?? {};
  const text = label ?? labels[`callout_${type}`] ?? (type === 'caution' ? labels.callout_warning : undefined) ?? type[0]!.toUpperCase() + type.slice(1);
  node.children.unshift(title('callout-title', text));
  return text;
}

/**
 * An unclosed `:::` block runs to the end of the file (or of the quote or list item around it),
 * silently boxing everything after it: an error at its opening line that says where it ended. A
 * block is closed when its last line is its own fence, not the fence of a block inside it.
 */
function reportUnclosed(node: ContainerDirective, parent: Parent | undefined, file: VFile): void {
  const start = node.position?.start;
  const end = node.position?.end;
  if (!start || !end || end.offset === undefined) return;
  const source = String(file.value);
  const lastLine = source.slice(source.lastIndexOf('\n', end.offset - 1) + 1, end.offset);
  const lastChild = node.children.at(-1)?.position?.end.offset;
  if (/^[ \t>]*:{3,}[ \t]*$/.test(lastLine) && (lastChild === undefined || lastChild < end.offset - 2)) return;
  const where =
    source.slice(end.offset).trim() === ''
      ? `the end of the file (line ${source.trimEnd().split('\n').length})`
      : `the end of ${parent?.type === 'containerDirective' ? `the block ":::${(parent as ContainerDirective).name}"` : parent?.type === 'blockquote' ? 'the quote' : parent?.type === 'listItem' ? 'the list item' : 'the block'} it is in (line ${end.line})`;
  report(file, 'error', `The block ":::${node.name}" opened here is never closed, so it takes in everything up to ${where}. Add a ":::" line where it should end.`, 'unclosed-directive', start);
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
