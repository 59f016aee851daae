import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import rehypeSlug from 'rehype-slug';
import rehypeStringify from 'rehype-stringify';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified, type Processor } from 'unified';
import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import type { Heading, Labels } from './file-data.ts';
import { checkMarkerRuns, checkNesting } from './nesting.ts';
import rehypeHyphenate from './plugins/rehype-hyphenate.ts';
import { report } from './messages.ts';
import type { BriefMatter } from './schema.ts';
import rehypeCharts from './plugins/rehype-charts.ts';
import rehypeCrossrefs from './plugins/rehype-crossrefs.ts';
import rehypeEndnotes from './plugins/rehype-endnotes.ts';
import rehypeFigures from './plugins/rehype-figures.ts';
import rehypeFootnotes from './plugins/rehype-footnotes.ts';
import rehypeSideNotes from './plugins/rehype-side-notes.ts';
import rehypeHeadings from './plugins/rehype-headings.ts';
import rehypeImageSize from './plugins/rehype-image-size.ts';
import rehypeImages from './plugins/rehype-images.ts';
import rehypeKeyPoints from './plugins/rehype-key-points.ts';
import rehypeCheckHeadings from './plugins/rehype-check-headings.ts';
import rehypeLangSpans from './plugins/rehype-lang-spans.ts';
import rehypeLinks from './plugins/rehype-links.ts';
import remarkCharts from './plugins/remark-charts.ts';
import remarkCheckFootnotes from './plugins/remark-check-footnotes.ts';
import remarkCitations from './plugins/remark-citations.ts';
import remarkCrossrefs from './plugins/remark-crossrefs.ts';
import rehypeReportUnsafe from './plugins/rehype-report-unsafe.ts';
import rehypeSourceNotes from './plugins/rehype-source-notes.ts';
import rehypeTables from './plugins/rehype-tables.ts';
import remarkImageSize from './plugins/remark-image-size.ts';
import remarkDirectives from './plugins/remark-directives.ts';
import remarkTypography from './plugins/remark-typography.ts';
import remarkNameLandmarks from './plugins/remark-name-landmarks.ts';
import remarkGithubAlerts from './plugins/remark-github-alerts.ts';
import remarkHeadingLevels from './plugins/remark-heading-levels.ts';
import remarkTitleHeading from './plugins/remark-title-heading.ts';
import { sanitizeSchema } from './plugins/sanitize-schema.ts';

/** What the processor needs for a whole run (the same for every brief). */
export interface MarkdownOptions {
  /** Folders images may be read from (real paths). */
  allowedRoots: string[];
  /** Largest image embedded, in bytes. */
  maxImageBytes: number;
  /** Longest fetch of a remote image from an allowed host, in milliseconds. */
  fetchTimeoutMs: number;
  /** Deepest nesting accepted (see nesting.ts). */
  maxDepth: number;
  /** Largest data file a chart may read, and largest bibliography or .csl style, in bytes. */
  maxDataBytes: number;
}

/** One brief's Markdown and what its rendering depends on: plain data, so it can cross to a worker. */
export interface RenderTask {
  path: string;
  /** The project folder: paths in messages are relative to it (default: the process's folder). */
  root?: string;
  /** The whole source file, front matter included (positions count from its first line). */
  value: string;
  matter: BriefMatter;
  labels: Labels;
  /** The template's chart theme (a Vega-Lite config), if it has one. */
  chartTheme?: Record<string, unknown>;
  trustHtml: boolean;
  /** Hosts remote images may be fetched from. */
  allowRemote: string[];
  /** Also make the hyphenated body the PDF prints. */
  print: boolean;
  /** Also make the body with source positions that `npm run check` audits. */
  check?: boolean;
  /** Where the PDF prints notes (default footnotes). */
  notes?: 'footnotes' | 'endnotes';
  /** The brief has no title of its own: take its first level-1 heading (see remark-title-heading.ts). */
  titleFromHeading?: boolean;
}

/** A problem found while rendering, as plain data. */
export interface PlainMessage {
  /** The file the problem is in, when not the brief itself (a bibliography). */
  file?: string;
  reason: string;
  ruleId: string;
  fatal: boolean;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** What rendering one brief's Markdown gives the template. */
export interface RenderResult {
  /** The article as sanitized HTML, for the handout. */
  html: string;
  /**
   * The same, hyphenated (soft hyphens) for the printed page, and when checking, each element
   * marked with its place in the source (data-brief-line="line:column"); null unless asked for.
   */
  printHtml: string | null;
  /** The handout's body with the same marks, for the accessibility audit; null unless asked for. */
  checkHtml: string | null;
  /**
   * The handout's body as a tree, each node with its place in the source: later steps find where
   * an id, a link, an address or a character was written from it (it crosses from the worker as
   * plain data).
   */
  tree: Root;
  keyPointsHtml: string | null;
  headings: Heading[];
  /** Files besides the source the body depends on (images, bibliographies, styles). */
  dependencies: string[];
  /** Files whose existence the body depends on (briefs linked to). */
  probes: string[];
  messages: PlainMessage[];
  /** The title taken from the first level-1 heading (when asked for), with its place. */
  headingTitle: { text: string; line: number; column: number } | null;
}

/**
 * Renders one brief's Markdown: parses it, refuses over-deep nesting before any plugin walks the tree,
 * then runs the processor,
 * and makes the handout's body and (for the PDF) a hyphenated copy. Problems come back as plain
 * messages; a stack overflow deep in a plugin is reported as the nesting limit it is.
 */
export async function renderMarkdown(processor: MarkdownProcessor, task: RenderTask, options: MarkdownOptions): Promise<RenderResult> {
  const file = new VFile({ path: task.path, value: task.value, ...(task.root ? { cwd: task.root } : {}) });
  file.data.matter = task.matter;
  file.data.labels = task.labels;
  if (task.chartTheme) file.data.chartTheme = task.chartTheme;
  file.data.trustHtml = task.trustHtml;
  file.data.allowRemote = task.allowRemote;
  file.data.titleFromHeading = task.titleFromHeading === true;
  const result: RenderResult = { html: '', printHtml: null, checkHtml: null, tree: { type: 'root', children: [] }, keyPointsHtml: null, headings: [], dependencies: [], probes: [], messages: [], headingTitle: null };
  try {
    const mdast = checkMarkerRuns(file, options.maxDepth) ? processor.parse(file) : undefined;
    if (mdast && checkNesting(mdast, file, options.maxDepth)) {
      const tree = await processor.run(mdast, file);
      // Three outputs of one tree, each made from its own copy, so none sees another's changes.
      const print = task.print ? structuredClone(tree) : undefined;
      pointBriefLinks(tree, '.html');
      result.html = processor.stringify(tree, file);
      // Marks of source positions, for the checks to measure against: only when checking.
      if (task.check) result.checkHtml = processor.stringify(markSources(structuredClone(tree)), file);
      if (print) {
        pointBriefLinks(print, '.pdf');
        if (task.check) markSources(print);
        rehypeHyphenate({ lang: task.matter.lang })(print);
        // Side notes are the handout's; the print has its notes at the foot of the page or at the end.
        visit(print, 'element', (node, index, parent) => {
          if (parent && index !== undefined && Array.isArray(node.properties.className) && node.properties.className.includes('side-note')) {
            parent.children.splice(index, 1);
            return index;
          }
        });
        if ((task.notes ?? 'footnotes') === 'footnotes') rehypeFootnotes()(print);
        result.printHtml = processor.stringify(print, file);
      }
      result.tree = tree;
      result.keyPointsHtml = file.data.keyPointsHtml ?? null;
      result.headings = file.data.headings ?? [];
      result.dependencies = file.data.dependencies ?? [];
      result.probes = file.data.probes ?? [];
      result.headingTitle = file.data.headingTitle ?? null;
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    report(file, 'error', `The text is nested too deeply to process (${error.message}); brief stops at limits.max_depth. Flatten it.`, 'limit-depth');
  }
  result.messages = file.messages.map((message) => ({
    ...(message.file && message.file !== file.path ? { file: message.file } : {}),
    reason: message.reason,
    ruleId: message.ruleId ?? 'markdown',
    fatal: message.fatal === true,
    line: message.place && 'start' in message.place ? message.place.start.line : message.place?.line,
    column: message.place && 'start' in message.place ? message.place.start.column : message.place?.column,
    endLine: message.place && 'end' in message.place ? message.place.end.line : undefined,
    endColumn: message.place && 'end' in message.place ? message.place.end.column : undefined,
  }));
  return result;
}

/**
 * Links to other briefs (marked by rehype-links) point at their handouts in the handout and at
 * their PDFs in print; the mark is removed.
 */
function pointBriefLinks(tree: Root, extension: '.html' | '.pdf'): void {
  visit(tree, 'element', (node) => {
    if (node.properties.dataBrief === undefined) return;
    delete node.properties.dataBrief;
    if (extension === '.pdf') node.properties.href = String(node.properties.href).replace(/\.html(#|$)/, '.pdf$1');
  });
}

/** Marks each element with its place in the source (data-brief-line="line:column"), for the checks. */
function markSources(tree: Root): Root {
  visit(tree, 'element', (node) => {
    if (node.position) node.properties.dataBriefLine = `${node.position.start.line}:${node.position.start.column}`;
  });
  return tree;
}

/** A unified processor from Markdown text to the brief's body HTML. */
export type MarkdownProcessor = Processor<import('mdast').Root, import('mdast').Root, Root, Root, string>;

/**
 * Builds the Markdown → HTML processor once per run (watch mode reuses it). Per-brief settings
 * (language labels, trust) travel on file.data, so one processor serves every brief.
 */
export function createMarkdownProcessor(options: MarkdownOptions): MarkdownProcessor {
  return (
    unified()
      .use(remarkParse)
      // Front matter is read by front-matter.ts; here it only has to stay out of the body.
      .use(remarkFrontmatter, ['yaml'])
      .use(remarkGfm)
      .use(remarkDirective)
      // Cross-references first among the plugins that read "@": @fig-, @tbl- and @sec- become
      // links here, so a citation plugin after it never takes them for citation keys.
      .use(remarkCrossrefs)
      // An image's {width=…} block leaves the text here (after remark-crossrefs took its label),
      // so remark-typography never curls its quotes; rehype-image-size sets the size it read.
      .use(remarkImageSize)
      // The title is the template's: a leading `# Title` leaves the body (and names a brief that
      // has no front matter); then a body that still uses level 1 moves down a level.
      .use(remarkTitleHeading)
      .use(remarkHeadingLevels)
      // Our blocks become elements before the tree turns into HTML.
      .use(remarkDirectives)
      // GitHub's `> [!NOTE]` quotes become the same callouts as `:::callout` blocks.
      .use(remarkGithubAlerts)
      // Once every box exists, :::callout, :::sidebar and alerts alike: each gets its accessible name.
      .use(remarkNameLandmarks)
      // Citations become footnotes (note styles) or text, and the bibliography ends the body: after
      // the cross-reference plugin has claimed @fig-/@tbl-/@sec- keys, before footnotes are checked
      // and numbered, so citation notes and the author's share one sequence.
      .use(remarkCitations, { allowedRoots: options.allowedRoots, maxBytes: options.maxDataBytes, cslDir: join(TOOL_ROOT, 'templates', '_csl') })
      // Before remark-rehype drops notes nothing refers to.
      .use(remarkCheckFootnotes)
      // Charts are drawn while the block's attributes (the fence's meta) are still in the tree;
      // rehype-charts places them after the sanitizer.
      .use(remarkCharts, { maxDataBytes: options.maxDataBytes })
      // On the Markdown tree, where code is its own node: quotes and dashes never reach code.
      // Raw HTML is not text here either, so what an author writes inside tags stays as written.
      .use(remarkTypography)
      // Raw HTML is carried over as raw nodes, parsed by rehype-raw, then sanitized; footnote ids
      // are not prefixed because the sanitizer does not prefix ids either (see sanitize-schema.ts).
      .use(remarkRehype, { allowDangerousHtml: true, clobberPrefix: '', footnoteLabelTagName: 'h2', footnoteBackContent: '↑' })
      .use(rehypeRaw)
      // Sanitize before anything of ours adds attributes, so only author content is filtered;
      // first say what will be removed, with positions.
      .use(rehypeReportUnsafe)
      .use(rehypeTrustedOrSanitized)
      .use(rehypeSlug)
      .use(rehypeCheckHeadings)
      .use(rehypeLinks)
      // After the sanitizer (it strips SVG) and before figures, which number charts with images.
      .use(rehypeCharts)
      // After the sanitizer (the style it sets is its own), before figures (an image sized with
      // {width=…} is still alone in its paragraph once the attributes are taken out).
      .use(rehypeImageSize)
      .use(rehypeFigures)
      .use(rehypeTables)
      // After figures and tables exist: their source notes move inside them; before images replace placeholders.
      .use(rehypeSourceNotes)
      // After figures: embedded images are data URLs the sanitizer never sees.
      .use(rehypeImages, { allowedRoots: options.allowedRoots, maxBytes: options.maxImageBytes, fetchTimeoutMs: options.fetchTimeoutMs })
      // Once figures, tables and heading ids are final, and before key points leave the body.
      .use(rehypeCrossrefs)
      .use(rehypeKeyPoints)
      .use(rehypeEndnotes)
      // After the notes list is final: copies of it beside the text.
      .use(rehypeSideNotes)
      .use(rehypeLangSpans)
      // Last, so the list holds final ids and texts.
      .use(rehypeHeadings)
      .use(rehypeStringify)
  );
}

/** Sanitizes unless the brief is trusted (`unsafe_html: true`), decided per file. */
function rehypeTrustedOrSanitized() {
  const sanitize = rehypeSanitize(sanitizeSchema) as (tree: Root) => Root;
  return (tree: Root, file: VFile): Root => (file.data.trustHtml ? tree : sanitize(tree));
}
