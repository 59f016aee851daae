import type { Heading, Root } from 'mdast';
import { visit } from 'unist-util-visit';

/**
 * The title is the brief's only level-1 heading, so the body's level-1 headings move down. When
 * the body's outline starts at level 1 (a Word document converted by Pandoc, where every section
 * is a `#`), all its headings move down one level and the outline keeps its shape; when it starts
 * at level 2 (a README whose `# License` follows `## Usage`), a `#` becomes a `##`, a section
 * like the others.
 */
export default function remarkHeadingLevels() {
  return (tree: Root) => {
    const headings: Heading[] = [];
    visit(tree, 'heading', (node) => {
      headings.push(node);
    });
    if (!headings.some((heading) => heading.depth === 1)) return;
    const shift = headings[0]!.depth === 1;
    for (const heading of headings) {
      if (shift) heading.depth = Math.min(6, heading.depth + 1) as Heading['depth'];
      else if (heading.depth === 1) heading.depth = 2;
    }
  };
}
