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
import type { VFile } from 'vfile';
import rehypeEndnotes from './plugins/rehype-endnotes.ts';
import rehypeFigures from './plugins/rehype-figures.ts';
import rehypeHeadings from './plugins/rehype-headings.ts';
import rehypeImages from './plugins/rehype-images.ts';
import rehypeKeyPoints from './plugins/rehype-key-points.ts';
import rehypeLangSpans from './plugins/rehype-lang-spans.ts';
import rehypeTables from './plugins/rehype-tables.ts';
import remarkDirectives from './plugins/remark-directives.ts';
import { sanitizeSchema } from './plugins/sanitize-schema.ts';

export interface MarkdownOptions {
  /** Folders images may be read from (real paths). */
  allowedRoots: string[];
}

/** What rendering one brief's Markdown gives the template. */
export interface RenderedBody {
  /** The article as HTML (sanitized). */
  html: string;
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
      // Our blocks become elements before the tree turns into HTML.
      .use(remarkDirectives)
      // Raw HTML is carried over as raw nodes, parsed by rehype-raw, then sanitized; footnote ids
      // are not prefixed because the sanitizer does not prefix ids either (see sanitize-schema.ts).
      .use(remarkRehype, { allowDangerousHtml: true, clobberPrefix: '', footnoteLabelTagName: 'h2' })
      .use(rehypeRaw)
      // Sanitize before anything of ours adds attributes, so only author content is filtered.
      .use(rehypeTrustedOrSanitized)
      .use(rehypeSlug)
      .use(rehypeFigures)
      .use(rehypeTables)
      // After figures: embedded images are data URLs the sanitizer never sees.
      .use(rehypeImages, { allowedRoots: options.allowedRoots })
      .use(rehypeKeyPoints)
      .use(rehypeEndnotes)
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
