import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { VFile } from 'vfile';

/**
 * The title is printed by the template, so a brief's own `# Title` must not print twice: when
 * the brief has no title of its own (plain Markdown, file.data.titleFromHeading), its first
 * heading, if of level 1, becomes the title (file.data.headingTitle) and leaves the body; when its
 * front matter has a title and the first heading is a level-1 heading that says the same, that
 * heading leaves the body. Anything before the heading (badges, a logo) stays.
 */
export default function remarkTitleHeading() {
  return (tree: Root, file: VFile) => {
    const index = tree.children.findIndex((node) => node.type === 'heading');
    const heading = tree.children[index] as Heading | undefined;
    if (!heading || heading.depth !== 1) return;
    const text = toString(heading).replace(/\s+/g, ' ').trim();
    if (file.data.titleFromHeading) {
      if (!text) return;
      file.data.headingTitle = { text, line: heading.position?.start.line ?? 1, column: heading.position?.start.column ?? 1 };
    } else if (!sameTitle(text, file.data.matter?.title ?? '')) {
      return;
    }
    tree.children.splice(index, 1);
  };
}

/** The same words, whatever the case, spacing and trailing punctuation. */
function sameTitle(a: string, b: string): boolean {
  const normalize = (text: string) => text.normalize('NFKC').replace(/\s+/g, ' ').replace(/[.:。]$/, '').trim().toLowerCase();
  return normalize(a) === normalize(b);
}
