import type { Nodes, Root } from 'mdast';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { VFile } from 'vfile';
import type { Point } from './messages.ts';
import { report } from './messages.ts';

/**
 * Markdown nodes that nest: each one inside another is a level. A list counts once per item
 * (list and item are one level for the author), and code never counts: its text is not parsed.
 */
const CONTAINERS = new Set(['blockquote', 'listItem', 'footnoteDefinition', 'containerDirective', 'emphasis', 'strong', 'delete', 'link', 'linkReference']);

/**
 * Refuses a brief nested deeper than `maxDepth` levels, measured on its parsed Markdown tree
 * before any plugin walks it: Markdown containers (quotes, list items, notes, ::: blocks,
 * emphasis, links) and the raw HTML elements among them, together, as the HTML tree will hold
 * them. The tools after the parser (remark-rehype, rehype-raw, the sanitizer, the serializer)
 * walk trees recursively, so a few thousand levels would exhaust the stack; this walk uses an
 * explicit stack, and the raw HTML is measured with parse5's tree builder, which does not recurse
 * either. Reports an error at the first node past the limit and returns false when over.
 */
export function checkNesting(tree: Root, file: VFile, maxDepth: number): boolean {
  // The tree as HTML the way rehype-raw will see it: each container an element, raw HTML as written.
  const skeleton: string[] = [];
  const segments: Segment[] = [];
  let length = 0;
  const emit = (text: string, segment?: Segment) => {
    if (segment) segments.push({ ...segment, at: length });
    skeleton.push(text);
    length += text.length;
  };
  const stack: { node: Nodes; next: number; depth: number }[] = [{ node: tree, next: 0, depth: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const { node } = top;
    if (node.type === 'html') {
      emit(node.value, { at: 0, node });
      stack.pop();
      continue;
    }
    if (!('children' in node) || top.next >= node.children.length) {
      if (CONTAINERS.has(node.type)) emit('</brief-level>');
      stack.pop();
      continue;
    }
    const child = node.children[top.next++]!;
    if (child.type === 'code' || child.type === 'inlineCode' || child.type === 'yaml') continue;
    let depth = top.depth;
    if (CONTAINERS.has(child.type)) {
      depth++;
      if (depth > maxDepth) return tooDeep(file, maxDepth, child.position?.start);
      emit(`<brief-level data-level="${segments.length}">`, { at: 0, node: child });
    }
    stack.push({ node: child, next: 0, depth });
  }
  return measureHtml(skeleton.join(''), segments, file, maxDepth);
}

/** A piece of the skeleton: a container's opening tag, or a raw HTML node, and where it starts. */
interface Segment {
  at: number;
  node: Nodes;
}

type Parse5Node = DefaultTreeAdapterMap['node'];

/**
 * Builds the skeleton into an HTML tree with parse5 (iterative: its open elements are a list),
 * and walks it with an explicit stack for the deepest element. parse5 closes what HTML closes by
 * itself (`<li>` without `</li>`, `<p>` before a `<div>`) and knows void elements, so 50 `<li>`
 * without end tags are one level, not 50.
 */
function measureHtml(html: string, segments: Segment[], file: VFile, maxDepth: number): boolean {
  if (!segments.some((segment) => segment.node.type === 'html')) return true;
  const fragment = parseFragment(html, { sourceCodeLocationInfo: true });
  const stack: { node: Parse5Node; depth: number }[] = [{ node: fragment, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    const children = 'childNodes' in node ? node.childNodes : [];
    for (const child of children) {
      if (!('tagName' in child)) continue;
      if (depth + 1 > maxDepth) return tooDeep(file, maxDepth, placeIn(child.sourceCodeLocation?.startOffset ?? 0, segments));
      stack.push({ node: child, depth: depth + 1 });
      // A <template>'s content is a fragment of its own.
      if (child.tagName === 'template' && 'content' in child) stack.push({ node: child.content as Parse5Node, depth: depth + 1 });
    }
  }
  return true;
}

/** The source position of an offset in the skeleton: in a raw HTML node, counted from its start. */
function placeIn(offset: number, segments: Segment[]): Point | undefined {
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (segments[middle]!.at <= offset) low = middle;
    else high = middle - 1;
  }
  const segment = segments[low];
  const start = segment?.node.position?.start;
  if (!segment || !start) return undefined;
  if (segment.node.type !== 'html') return start;
  const before = segment.node.value.slice(0, offset - segment.at);
  const newline = before.lastIndexOf('\n');
  const lines = before.split('\n').length - 1;
  return lines === 0 ? { line: start.line, column: start.column + before.length } : { line: start.line + lines, column: before.length - newline };
}

function tooDeep(file: VFile, maxDepth: number, place: Point | undefined): false {
  report(file, 'error', `The text is nested more than ${maxDepth} levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml.`, 'limit-depth', place);
  return false;
}

/** A parser for the first look at long marker runs: the brief's dialect without emphasis, so fast on any input. */
let scout: ReturnType<typeof createScout> | undefined;

function createScout() {
  return unified()
    .use(remarkParse)
    .use(remarkFrontmatter, ['yaml'])
    .use(remarkGfm)
    .use(remarkDirective)
    .use(function disableEmphasis() {
      // micromark matches runs of * and _ pairwise, in time that grows with the square of the run.
      const data = this.data();
      (data.micromarkExtensions ??= []).push({ disable: { null: ['attention'] } });
    });
}

/**
 * Refuses, before the real parse, a run of `*` or `_` in the text long enough to nest emphasis
 * deeper than `maxDepth` (2 markers a level): the parser matches such runs in time that grows with
 * the square of their length, so 20,000 markers would take minutes. The runs are found in a
 * parse without emphasis, so code, code spans and thematic breaks never count. Returns false
 * after reporting.
 */
export function checkMarkerRuns(file: VFile, maxDepth: number): boolean {
  const longest = 2 * (maxDepth + 1);
  // Cheap test first: most briefs have no run anywhere near this long.
  if (!new RegExp(`[*_]{${longest},}`).test(String(file.value))) return true;
  const source = String(file.value);
  const tree = (scout ??= createScout()).parse(file);
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    // The source of the text, not its value: an escaped run (\*\*\*) is no emphasis and no run.
    const run = node.type === 'text' && start !== undefined && end !== undefined ? new RegExp(`[*_]{${longest},}`).exec(source.slice(start, end)) : null;
    if (run) {
      const before = source.slice(0, start! + run.index);
      const place = { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
      const kinds = [...new Set(run[0])].map((marker) => `"${marker}"`).join(' and ');
      report(file, 'error', `A run of ${run[0].length} ${kinds} characters would nest emphasis more than ${maxDepth} levels deep (limits.max_depth); escape them (\\${run[0][0]}) or shorten the run.`, 'limit-depth', place);
      return false;
    }
    if ('children' in node) for (let index = node.children.length - 1; index >= 0; index--) stack.push(node.children[index]!);
  }
  return true;
}
