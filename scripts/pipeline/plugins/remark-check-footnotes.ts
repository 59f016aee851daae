import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { location } from 'vfile-location';
import { report } from '../messages.ts';

/**
 * Footnotes that go nowhere: a reference like [^3] with no "[^3]: …" note (Markdown then leaves
 * it as text), and a note nothing refers to (Markdown then drops it without a word).
 */
export default function remarkCheckFootnotes() {
  return (tree: Root, file: VFile) => {
    const source = String(file.value);
    const lines = location(file);
    const defined = new Map<string, { line: number; column: number } | undefined>();
    const referenced = new Set<string>();
    visit(tree, (node) => {
      if (node.type === 'footnoteDefinition') defined.set(node.identifier, node.position?.start);
      else if (node.type === 'footnoteReference') referenced.add(node.identifier);
      else if (node.type === 'text' && node.position?.start.offset !== undefined && node.position.end.offset !== undefined) {
        // A reference with no note stays text. Its column: where it is written inside the text
        // node's own source (escapes before it make the node's value shorter than its source).
        const written = source.slice(node.position.start.offset, node.position.end.offset);
        let cursor = 0;
        for (const match of node.value.matchAll(/\[\^([^\]\s]+)\]/g)) {
          const index = written.indexOf(match[0], cursor);
          cursor = index === -1 ? cursor : index + match[0].length;
          const point = index === -1 ? node.position.start : lines.toPoint(node.position.start.offset + index)!;
          report(file, 'warning', `Footnote [^${match[1]}] has no note: add "[^${match[1]}]: …" at the end.`, 'broken-footnote', { line: point.line, column: point.column });
        }
      }
    });
    for (const [identifier, at] of defined) {
      if (!referenced.has(identifier)) report(file, 'warning', `Note [^${identifier}] is never referred to, so it is not printed: cite it with [^${identifier}] in the text, or remove it.`, 'broken-footnote', at);
    }
  };
}
