import type { Blockquote, Root } from 'mdast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { report } from '../messages.ts';
import { makeCallout, type CalloutType } from './remark-directives.ts';

/** GitHub's alert types, and the callout each becomes. */
const ALERTS: Record<string, CalloutType> = { NOTE: 'note', TIP: 'tip', IMPORTANT: 'important', WARNING: 'warning', CAUTION: 'caution' };
/** `[!TYPE]` at the very start of a quote, then the rest of its line (a title, in Obsidian's dialect). */
const MARKER = /^\[!([A-Za-z][\w-]*)\][ \t]*([^\n]*)(?:\n|$)/;

/**
 * GitHub alerts (`> [!NOTE]`, `> [!TIP]`, `> [!IMPORTANT]`, `> [!WARNING]`, `> [!CAUTION]`) become
 * the template's callouts, titled in the brief's language; text after the marker on its line
 * becomes the title instead. A quote starting with another `[!TYPE]` stays a quote, with a
 * warning at its line, since the author meant an alert.
 */
export default function remarkGithubAlerts() {
  return (tree: Root, file: VFile) => {
    visit(tree, 'blockquote', (node: Blockquote) => {
      const paragraph = node.children[0];
      if (paragraph?.type !== 'paragraph') return;
      const text = paragraph.children[0];
      if (text?.type !== 'text') return;
      const match = MARKER.exec(text.value);
      if (!match) return;
      const type = ALERTS[match[1]!.toUpperCase()];
      if (!type) {
        report(file, 'warning', `Unknown alert "[!${match[1]}]"; it is kept as a quote. Alerts: ${Object.keys(ALERTS).map((name) => `[!${name}]`).join(', ')}.`, 'unknown-directive', text.position?.start);
        return;
      }
      text.value = text.value.slice(match[0].length);
      // The marker's line ends in a line break node when the author ended it with two spaces or "\".
      if (text.value === '') {
        paragraph.children.shift();
        if (paragraph.children[0]?.type === 'break') paragraph.children.shift();
      }
      if (paragraph.children.length === 0) node.children.shift();
      makeCallout(node, type, match[2]!.trim() || undefined, file);
    });
  };
}
