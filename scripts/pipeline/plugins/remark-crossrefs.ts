import type { Heading, Image, Link, Paragraph, PhrasingContent, Root, Text } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import { parseAttributes } from '../attributes.ts';
import type { CrossrefMark } from '../file-data.ts';
import { report, type Point } from '../messages.ts';

/** Label prefixes reserved for cross-references: a citation key may not start with them. */
export const CROSSREF_PREFIXES = ['fig', 'tbl', 'sec'] as const;

/**
 * `@fig-gdp`, `@tbl-trade`, `@sec-outlook`: a reference, ended by anything that cannot continue a
 * label (a space, a closing bracket, a Japanese character, a full stop before a space).
 */
const REFERENCE = /(?<![\w@.])@((?:fig|tbl|sec)-[A-Za-z0-9_]+(?:[-_.:][A-Za-z0-9_]+)*)/g;

/**
 * Quarto's cross-references, first half (the Markdown tree): reads the labels — `{#fig-…}` after
 * an image alone in its paragraph, `{#tbl-…}` at the end of a `Table: …` caption, `{#sec-…}` (or
 * any `{#id}`) at the end of a heading, and `{#fig-…}` in a `vega-lite` block's attributes — and
 * turns each `@fig-…`/`@tbl-…`/`@sec-…` into a link to its label. The numbers ("Figure 2") are
 * written by rehype-crossrefs once figures, tables and sections are numbered in their final order.
 *
 * It runs FIRST among the plugins that read `@`: the prefixes fig-, tbl- and sec- are reserved for
 * cross-references, and once these are links, the citation plugin (which reads `[@key]` and
 * `@key` in text) never sees them. A label used twice is an error at the second.
 */
export default function remarkCrossrefs() {
  return (tree: Root, file: VFile) => {
    const labels = new Map<string, Point>();
    const declare = (label: string, at: Point | undefined) => {
      const place = at ?? { line: 1, column: 1 };
      const first = labels.get(label);
      if (first) report(file, 'error', `Label "#${label}" is already used at line ${first.line}: give this one another name.`, 'crossref-duplicate', place);
      else labels.set(label, place);
    };

    visit(tree, (node) => {
      if (node.type === 'heading') {
        const label = takeTrailingLabel(node, file);
        if (label) {
          if (/^(fig|tbl)-/.test(label.id)) report(file, 'error', `A heading's label starts with "sec-" (found "#${label.id}"): "fig-" labels go on images and charts, "tbl-" on table captions.`, 'crossref-label', label.at);
          (node.data ??= {}).hProperties = { ...node.data?.hProperties, id: label.id };
          declare(label.id, label.at);
        }
        return;
      }
      if (node.type === 'code' && node.lang === 'vega-lite' && node.meta) {
        const attributes = parseAttributes(node.meta);
        // A malformed block is remark-charts' to report.
        if (typeof attributes !== 'string' && attributes.id) declare(attributes.id, node.position?.start);
        return;
      }
      if (node.type !== 'paragraph') return;
      const image = labelledImage(node);
      if (image) {
        const label = takeTrailingLabel(node, file, ['width', 'height']);
        if (label) {
          if (!label.id.startsWith('fig-')) report(file, 'error', `An image's label starts with "fig-" (found "#${label.id}"): write {#fig-${label.id.replace(/^(tbl|sec)-/, '')}}.`, 'crossref-label', label.at);
          (image.data ??= {}).hProperties = { ...image.data?.hProperties, id: label.id };
          declare(label.id, label.at);
        }
        return;
      }
      if (/^Table:/.test(toString(node))) {
        const label = takeTrailingLabel(node, file);
        if (label) {
          if (!label.id.startsWith('tbl-')) report(file, 'error', `A table's label starts with "tbl-" (found "#${label.id}"): write {#tbl-${label.id.replace(/^(fig|sec)-/, '')}}.`, 'crossref-label', label.at);
          (node.data ??= {}).hProperties = { ...node.data?.hProperties, id: label.id };
          declare(label.id, label.at);
        }
      }
    });

    // References: in text, never inside links or code (code is not a text node).
    const references = (file.data.crossrefs ??= new Map<number, CrossrefMark>());
    visit(tree, (node, index, parent) => {
      if (node.type === 'link' || node.type === 'linkReference' || node.type === 'definition') return SKIP;
      if (node.type !== 'text' || !parent || index === undefined) return;
      const parts = splitReferences(node, file, references);
      if (!parts) return;
      parent.children.splice(index, 1, ...(parts as never[]));
      return [SKIP, index + parts.length];
    });
  };
}

/** The image of a paragraph that is one image followed by an attribute block, if it is one. */
function labelledImage(paragraph: Paragraph): Image | undefined {
  const [first, second, ...rest] = paragraph.children;
  if (rest.length > 0 || first?.type !== 'image' || second?.type !== 'text') return undefined;
  return second.value.trim().startsWith('{#') ? first : undefined;
}

/**
 * Removes a `{#id …}` block that ends a heading or paragraph and returns its id, with where the
 * block is written. A block that cannot be read is reported and left as text.
 */
function takeTrailingLabel(parent: Heading | Paragraph, file: VFile, keep: readonly string[] = []): { id: string; at: Point | undefined } | undefined {
  const last = parent.children.at(-1);
  if (last?.type !== 'text') return undefined;
  const text = last.value.trimEnd();
  if (!text.endsWith('}')) return undefined;
  const open = text.lastIndexOf('{#');
  if (open === -1) return undefined;
  const attributes = parseAttributes(text.slice(open));
  const at = pointAt(last, open, file);
  if (typeof attributes === 'string' || !attributes.id) {
    report(file, 'warning', `The label block "${text.slice(open)}" cannot be read${typeof attributes === 'string' ? `: ${attributes}` : ''}; it is kept as text. Write {#fig-name}.`, 'crossref-label', at);
    return undefined;
  }
  // What the block says besides the label and is another plugin's (an image's width and height,
  // for rehype-image-size) stays behind it, as a block of its own.
  const kept = keep.filter((key) => attributes.values[key] !== undefined).map((key) => `${key}="${attributes.values[key]}"`);
  const before = text.slice(0, open).trimEnd() + (kept.length > 0 ? `{${kept.join(' ')}}` : '');
  if (before) last.value = before;
  else parent.children.pop();
  return { id: attributes.id, at };
}

/** A text node cut around its references, each a link to its label; undefined when it has none. */
function splitReferences(node: Text, file: VFile, references: Map<number, CrossrefMark>): PhrasingContent[] | undefined {
  const value = node.value;
  const matches = [...value.matchAll(REFERENCE)];
  if (matches.length === 0) return undefined;
  const parts: PhrasingContent[] = [];
  let last = 0;
  for (const match of matches) {
    let start = match.index;
    let end = start + match[0].length;
    // [@fig-x] alone in its brackets is the same reference: the brackets go.
    if (value[start - 1] === '[' && value[end] === ']') {
      start--;
      end++;
    }
    const label = match[1]!;
    if (start > last) parts.push({ type: 'text', value: value.slice(last, start) });
    const from = pointAt(node, start, file);
    const to = pointAt(node, end, file);
    const offset = offsetAt(node, start);
    const link: Link = {
      type: 'link',
      url: `#${label}`,
      children: [{ type: 'text', value: `@${label}` }],
      position: { start: { ...from, offset }, end: { ...to, offset: offsetAt(node, end) } },
    };
    references.set(offset, { label, line: from.line, column: from.column });
    parts.push(link);
    last = end;
  }
  if (last < value.length) parts.push({ type: 'text', value: value.slice(last) });
  return parts;
}

/**
 * The place of a character of a text node. Exact where the node's text is its source as written
 * (no escapes or entities before it); otherwise counted from the node's start.
 */
function pointAt(node: Text, index: number, file: VFile): Point {
  const start = node.position?.start;
  if (!start) return { line: 1, column: 1 };
  const exact = sourceMatches(node, file);
  const before = exact ? node.value.slice(0, index) : '';
  const lines = before.split('\n');
  return lines.length === 1 ? { line: start.line, column: start.column + before.length } : { line: start.line + lines.length - 1, column: lines.at(-1)!.length + 1 };
}

function offsetAt(node: Text, index: number): number {
  const start = node.position?.start.offset ?? 0;
  // Offsets key the references: distinct for distinct references even when the text has escapes.
  return start + index;
}

function sourceMatches(node: Text, file: VFile): boolean {
  const { start, end } = node.position ?? {};
  if (start?.offset === undefined || end?.offset === undefined) return false;
  return String(file.value).slice(start.offset, end.offset) === node.value;
}
