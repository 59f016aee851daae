import type { Element, Root } from 'hast';
import { headingRank } from 'hast-util-heading-rank';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';

/**
 * Headings that break the brief's outline: a level-1 heading in the body (the title is the only
 * one), a level that skips one (## then ####), and a section with nothing in it before the next
 * heading of the same or a higher level.
 */
export default function rehypeCheckHeadings() {
  return (tree: Root, file: VFile) => {
    const blocks = tree.children.filter((child): child is Element => child.type === 'element');
    let previous = 1;
    blocks.forEach((node, index) => {
      const rank = headingRank(node);
      if (rank === undefined) return;
      const at = node.position?.start;
      const text = toString(node).trim();
      if (rank === 1) report(file, 'warning', `Heading "${text}" is level 1, like the title: start the body's headings at ##.`, 'heading-skip', at);
      else if (rank > previous + 1) report(file, 'warning', `Heading level ${rank} follows level ${previous}: use ${'#'.repeat(previous + 1)} here.`, 'heading-skip', at);
      previous = rank;
      const next = blocks[index + 1];
      const nextRank = next ? headingRank(next) : undefined;
      const footnotes = next?.tagName === 'section' && next.properties.dataFootnotes !== undefined;
      if (!next || footnotes || (nextRank !== undefined && nextRank <= rank)) report(file, 'warning', `Section "${text}" is empty.`, 'empty-section', at);
    });
  };
}
