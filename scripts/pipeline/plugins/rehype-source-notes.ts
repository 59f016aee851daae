import type { Element, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';

/**
 * Notes of sources under figures and tables: a paragraph right after a figure or a table that
 * starts with a source word of the template's language ("Source:", "Notes:", "出典：") moves
 * inside it as its source note (class "source-note"), so it stays with what it documents on the
 * page and templates can set it small, under the figure.
 */
export default function rehypeSourceNotes() {
  return (tree: Root, file: VFile) => {
    const words = (file.data.labels?.source_note_words ?? 'Source, Sources, Note, Notes')
      .split(/[,、]/)
      .map((word) => word.trim())
      .filter(Boolean);
    if (words.length === 0) return;
    visit(tree, 'element', (node, index, parent) => {
      if (!parent || index === undefined || !isFigureOrTable(node)) return;
      let next = index + 1;
      while (parent.children[next]?.type === 'text' && (parent.children[next] as { value: string }).value.trim() === '') next++;
      const paragraph = parent.children[next];
      if (paragraph?.type !== 'element' || paragraph.tagName !== 'p') return;
      const text = toString(paragraph).trimStart();
      if (!words.some((word) => text.startsWith(word) && /^[:：]/.test(text.slice(word.length)))) return;
      paragraph.properties.className = ['source-note'];
      parent.children.splice(index + 1, next - index);
      node.children.push(paragraph);
    });
  };
}

function isFigureOrTable(node: Element): boolean {
  const classes = node.properties.className;
  return Array.isArray(classes) && (classes.includes('figure') || classes.includes('table-wrap'));
}
