import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { report } from '../messages.ts';

/**
 * Footnotes that go nowhere: a reference like [^3] with no "[^3]: …" note (Markdown then leaves
 * it as text), and a note nothing refers to (Markdown then drops it without a word).
 */
export default function remarkCheckFootnotes() {
  return (tree: Root, file: VFile) => {
    const defined = new Map<string, { line: number; column: number } | undefined>();
    const referenced = new Set<string>();
    visit(tree, (node) => {
      if (node.type === 'footnoteDefinition') defined.set(node.identifier, node.position?.start);
      else if (node.type === 'footnoteReference') referenced.add(node.identifier);
      else if (node.type === 'text' && node.position) {
        for (const match of node.value.matchAll(/\[\^([^\]\s]+)\]/g)) {
          const before = node.value.slice(0, match.index);
          const lines = before.split('\n');
          const line = node.position.start.line + lines.length - 1;
          const column = lines.length === 1 ? node.position.start.column + before.length : lines.at(-1)!.length + 1;
          report(file, 'warning', `Footnote [^${match[1]}] has no note: add "[^${match[1]}]: …" at the end.`, 'broken-footnote', { line, column });
        }
      }
    });
    for (const [identifier, at] of defined) {
      if (!referenced.has(identifier)) report(file, 'warning', `Note [^${identifier}] is never referred to, so it is not printed: cite it with [^${identifier}] in the text, or remove it.`, 'broken-footnote', at);
    }
  };
}
