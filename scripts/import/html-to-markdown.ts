import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toString } from 'hast-util-to-string';
import type { FootnoteDefinition, Nodes as MdastNodes, Root as MdastRoot } from 'mdast';
import rehypeRemark from 'rehype-remark';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { SKIP, visit } from 'unist-util-visit';
import type { ImportedDocument } from './imported-document.ts';

/** What the writer found besides the body: the title block paragraphs Pandoc's Word files start with. */
export interface MarkdownBody {
  markdown: string;
  /** Text of the title, subtitle, author and date paragraphs, taken out of the body. */
  titleBlock: { title?: string; subtitle?: string; author?: string; date?: string };
  /** The first level-1 heading, or else the first heading, for a title when nothing else gives one. */
  firstHeading?: string;
}

/** "Figure 3:", "Fig. 3.", "Table 2 –", "図3" before a caption: brief numbers captions itself. */
const NUMBERED = /^(?:Figure|Fig\.?|Table|図|表)\s*\d+\s*[:.–—-]?\s*/i;

/**
 * Turns an imported document's HTML into the brief's Markdown: GFM (tables with alignment,
 * footnotes as `[^n]`, strikethrough), with figure captions as image titles
 * (`![alt](file.png "Caption")`) and table captions as `Table: …` lines, which is how briefs
 * caption. Built on rehype-remark and remark-stringify; only what they cannot know (mammoth's
 * footnotes and caption paragraphs, Word's column alignment) is rearranged first.
 */
export async function htmlToMarkdown(document: ImportedDocument): Promise<MarkdownBody> {
  const tree = fromHtml(document.html, { fragment: true });
  const titleBlock = takeTitleBlock(tree);
  footnotes(tree);
  captions(tree);
  alignTables(tree, document.tableAlign ?? []);
  let firstHeading: string | undefined;
  visit(tree, 'element', (node) => {
    if (firstHeading === undefined && /^h[1-6]$/.test(node.tagName)) firstHeading = toString(node).trim() || undefined;
    // Anchors without a link (Word's bookmarks) would become empty links.
    if (node.tagName === 'a' && node.properties.href === undefined && node.children.length === 0) node.tagName = 'span';
  });
  const processor = unified()
    .use(rehypeRemark, {
      handlers: {
        'brief-footnote-reference': (_state, node: Element) => ({ type: 'footnoteReference', identifier: String(node.properties.dataLabel), label: String(node.properties.dataLabel) }),
        'brief-footnotes': (state, node: Element) =>
          node.children
            .filter((child): child is Element => child.type === 'element')
            .map((item): FootnoteDefinition => ({ type: 'footnoteDefinition', identifier: String(item.properties.dataLabel), label: String(item.properties.dataLabel), children: state.toFlow(state.all(item)) as FootnoteDefinition['children'] })),
      },
    })
    .use(remarkGfm)
    .use(remarkStringify, { bullet: '-', emphasis: '*', strong: '*', fences: true, rule: '-', listItemIndent: 'one' });
  const mdast = (await processor.run(tree)) as MdastRoot;
  dropEmpty(mdast);
  return { markdown: processor.stringify(mdast), titleBlock, firstHeading };
}

/** Pandoc's Word files start with Title, Subtitle, Author and Date paragraphs: front matter, not body. */
function takeTitleBlock(tree: HastRoot): MarkdownBody['titleBlock'] {
  const block: MarkdownBody['titleBlock'] = {};
  tree.children = tree.children.filter((node) => {
    if (node.type !== 'element' || node.tagName !== 'p') return true;
    const kind = (node.properties.className as string[] | undefined)?.find((name) => name.startsWith('doc-'))?.slice(4) as keyof MarkdownBody['titleBlock'] | undefined;
    if (!kind) return true;
    const text = toString(node).trim();
    if (text) block[kind] = block[kind] ? `${block[kind]}, ${text}` : text;
    return false;
  });
  return block;
}

/**
 * mammoth writes a footnote reference as `<sup><a href="#footnote-7">[1]</a></sup>` and the notes
 * as a closing `<ol>` of `<li id="footnote-7">` with a back link: they become `[^1]` references and
 * definitions, numbered in order.
 */
function footnotes(tree: HastRoot): void {
  const labels = new Map<string, string>();
  const label = (id: string) => {
    if (!labels.has(id)) labels.set(id, String(labels.size + 1));
    return labels.get(id)!;
  };
  visit(tree, 'element', (node, index, parent) => {
    if (!parent || index === undefined) return;
    const link = node.tagName === 'sup' && node.children.length === 1 && node.children[0]!.type === 'element' ? (node.children[0] as Element) : undefined;
    const href = String(link?.properties.href ?? '');
    if (link?.tagName === 'a' && /^#(end|foot)note-\d+$/.test(href)) {
      parent.children[index] = { type: 'element', tagName: 'brief-footnote-reference', properties: { dataLabel: label(href.slice(1)) }, children: [] };
      return SKIP;
    }
    if (node.tagName === 'ol' && node.children.some((child) => child.type === 'element' && /^(end|foot)note-\d+$/.test(String(child.properties.id)))) {
      for (const item of node.children) {
        if (item.type !== 'element') continue;
        item.properties.dataLabel = label(String(item.properties.id));
        // The back link to the reference ("↑") is the HTML's; Markdown footnotes make their own.
        visit(item, 'element', (child, childIndex, childParent) => {
          if (child.tagName === 'a' && /^#(end|foot)note-ref-\d+$/.test(String(child.properties.href)) && childParent && childIndex !== undefined) {
            childParent.children.splice(childIndex, 1);
            return [SKIP, childIndex];
          }
          return undefined;
        });
      }
      node.tagName = 'brief-footnotes';
      return SKIP;
    }
    return undefined;
  });
}

/**
 * Captions: a caption paragraph after an image (Word, Pandoc) or a <figcaption> (web pages)
 * becomes the image's title, which briefs print as a numbered caption; a caption paragraph next
 * to a table, or its <caption>, becomes a `Table: …` paragraph just before it. Their own numbers
 * go: briefs number figures and tables themselves.
 */
function captions(tree: HastRoot): void {
  visit(tree, 'element', (node, index, parent) => {
    if (!parent || index === undefined) return;
    if (node.tagName === 'figure') {
      const image = firstElement(node, 'img');
      const caption = firstElement(node, 'figcaption');
      if (image) {
        const text = caption ? toString(caption).replace(NUMBERED, '').trim() : '';
        if (text) image.properties.title = text;
        parent.children[index] = { type: 'element', tagName: 'p', properties: {}, children: [image] };
        return SKIP;
      }
    }
    if (node.tagName === 'table') {
      const caption = node.children.find((child): child is Element => child.type === 'element' && child.tagName === 'caption');
      if (caption) {
        node.children.splice(node.children.indexOf(caption), 1);
        parent.children.splice(index, 0, tableCaption(toString(caption)));
        return [SKIP, index + 2];
      }
    }
    if (node.tagName !== 'p' || !(node.properties.className as string[] | undefined)?.includes('caption')) return undefined;
    const text = toString(node).replace(NUMBERED, '').trim();
    const siblings = parent.children;
    const before = previousElement(siblings, index);
    const after = nextElement(siblings, index);
    const image = before && before.tagName === 'p' ? onlyImage(before) : undefined;
    if (image) {
      if (text) image.properties.title = text;
      siblings.splice(index, 1);
      return [SKIP, index];
    }
    if (after?.tagName === 'table' || before?.tagName === 'table') {
      siblings.splice(index, 1);
      const table = after?.tagName === 'table' ? after : before!;
      siblings.splice(siblings.indexOf(table), 0, tableCaption(text));
      return [SKIP, index];
    }
    delete node.properties.className;
    return undefined;
  });
}

/** Word's column alignment onto the HTML table cells (rehype-remark reads `align`). */
function alignTables(tree: HastRoot, alignments: ('left' | 'right' | 'center' | null)[][]): void {
  let tableIndex = 0;
  visit(tree, 'element', (node) => {
    if (node.tagName !== 'table') return;
    const columns = alignments[tableIndex++] ?? [];
    visit(node, 'element', (row) => {
      if (row.tagName !== 'tr') return;
      row.children.filter((cell): cell is Element => cell.type === 'element' && (cell.tagName === 'td' || cell.tagName === 'th')).forEach((cell, column) => {
        const style = String(cell.properties.style ?? '');
        const fromStyle = /text-align:\s*(left|right|center)/i.exec(style)?.[1]?.toLowerCase();
        const marked = cell.properties.align ?? cell.properties.dataBriefAlign;
        const align = (marked === undefined ? undefined : String(marked)) ?? columns[column] ?? fromStyle;
        delete cell.properties.dataBriefAlign;
        if (align) cell.properties.align = align;
      });
    });
  });
}

function tableCaption(text: string): Element {
  return { type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: `Table: ${text.replace(NUMBERED, '').trim()}` }] };
}

function onlyImage(paragraph: Element): Element | undefined {
  const content = paragraph.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
  const only = content[0];
  return content.length === 1 && only?.type === 'element' && only.tagName === 'img' ? only : undefined;
}

function firstElement(node: Element, tagName: string): Element | undefined {
  let found: Element | undefined;
  visit(node, 'element', (child) => {
    if (!found && child.tagName === tagName) found = child;
  });
  return found;
}

function previousElement(siblings: ElementContent[] | HastRoot['children'], index: number): Element | undefined {
  for (let at = index - 1; at >= 0; at--) {
    const node = siblings[at]!;
    if (node.type === 'element') return node;
    if (node.type === 'text' && node.value.trim() !== '') return undefined;
  }
  return undefined;
}

function nextElement(siblings: ElementContent[] | HastRoot['children'], index: number): Element | undefined {
  for (let at = index + 1; at < siblings.length; at++) {
    const node = siblings[at]!;
    if (node.type === 'element') return node;
    if (node.type === 'text' && node.value.trim() !== '') return undefined;
  }
  return undefined;
}

/** Paragraphs left empty (a dropped image, an empty Word paragraph) print as nothing; drop them. */
function dropEmpty(tree: MdastRoot): void {
  visit(tree, (node: MdastNodes, index, parent) => {
    if (node.type === 'paragraph' && node.children.length === 0 && parent && index !== undefined) {
      parent.children.splice(index, 1);
      return [SKIP, index];
    }
    return undefined;
  });
}
