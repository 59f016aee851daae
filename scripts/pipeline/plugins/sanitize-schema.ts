import { defaultSchema, type Options as Schema } from 'rehype-sanitize';

const defaults = defaultSchema.attributes ?? {};
const aria = ['ariaDescribedBy', 'ariaLabel', 'ariaLabelledBy'];

/**
 * What raw HTML in a brief may keep: GitHub's allow-list (no script, style, iframe, object, embed,
 * base, meta, form or event handlers; only http(s)/mailto links), plus what briefs need: figures,
 * abbreviations, captions, language spans and the classes of our own blocks. Ids are not prefixed
 * (no script runs in a handout, so DOM clobbering has nothing to attack, and internal links must
 * keep working); check reports duplicate ids instead.
 */
export const sanitizeSchema: Schema = {
  ...defaultSchema,
  clobber: [],
  clobberPrefix: '',
  tagNames: [...(defaultSchema.tagNames ?? []).filter((name) => name !== 'picture' && name !== 'source'), 'abbr', 'aside', 'caption', 'cite', 'col', 'colgroup', 'dfn', 'figcaption', 'figure', 'mark', 'small', 'time', 'u', 'wbr'],
  attributes: {
    ...defaults,
    abbr: ['title'],
    aside: [['className', 'callout', /^callout-(note|tip|important|warning|caution)$/, 'sidebar', 'pullquote'], 'ariaHidden', 'ariaLabel'],
    col: ['span'],
    colgroup: ['span'],
    div: [...(defaults.div ?? []), ['className', 'key-points-content', 'table-wrap']],
    figure: [['className', 'figure']],
    h2: [['className', 'sr-only']],
    img: [...aria, 'alt', 'src', 'title', 'width', 'height'],
    p: [['className', 'callout-title', 'sidebar-title']],
    span: [['className', 'figure-label', 'table-label', 'citation', 'small-caps']],
    ul: [...(defaults.ul ?? []).filter((entry) => !(Array.isArray(entry) && entry[0] === 'className')), ['className', 'contains-task-list', 'bibliography']],
    time: ['dateTime'],
    th: ['scope', 'abbr'],
    td: ['headers'],
  },
  protocols: {
    ...defaultSchema.protocols,
    href: ['http', 'https', 'mailto', 'tel'],
    // Images: local paths and http(s) here; rehype-images decides what is embedded, and only
    // image/* data URLs survive it.
    src: ['http', 'https', 'data'],
  },
  // Content of these is dropped with the element, not kept as text.
  strip: ['script', 'style', 'template', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math'],
};
