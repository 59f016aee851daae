import * as z from 'zod';
import { LIMIT_DEFAULTS } from './config-defaults.ts';

/**
 * The one description of a brief's front matter and of brief.config.yaml: the validator, the
 * TypeScript types (z.infer) and the README's reference tables (scripts/docs.ts) all come from here.
 * `.describe()` texts are user documentation; `.meta({ example })` gives the README's example.
 */

const text = z.string().trim().min(1, { message: 'text that is not empty' });

const isoDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, { message: 'a date as YYYY-MM-DD or YYYY-MM, such as 2009-09-30', abort: true })
  .refine((value) => value.length === 7 || !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
    message: 'a real calendar date as YYYY-MM-DD',
  });

const languageTag = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'a language tag such as en, ja or en-US' });

/**
 * An address a reader may click: http(s), mailto, tel, a #fragment or a relative path. Anything
 * else (javascript:, data:, vbscript:, file:…) would run or leak when clicked; HTML escaping does
 * not make such a URL safe, so it is refused here.
 */
const href = text.refine((value) => !/^[\s\u0000-\u001f]*[a-z][a-z0-9+.\-\s\u0000-\u001f]*:/i.test(value) || /^(https?|mailto|tel):/i.test(value.trim()), {
  message: 'an http(s), mailto or tel address, or a path relative to the brief',
});
/** A bibliography file, relative to the brief. */
const bibliographyFile = text.regex(/\.(bib|bibtex|biblatex|json|ya?ml)$/i, { message: 'a .bib, .json or .yaml file beside the brief, such as refs.bib' });

const webUrl = z.url({ protocol: /^https?$/, message: 'an absolute http(s) URL such as https://example.org/briefs/' });

const link = z.object({
  label: text.describe('Text of the link.'),
  href: href.describe('Address: an http(s), mailto or tel URL, or a path relative to the brief.'),
});

export const pageSizes = ['letter', 'a4'] as const;

/** A CSS hex color: #rgb or #rrggbb. */
const hexColor = z.string().regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, { message: 'a hex color such as "#12355b"' });

/** A file beside brief.config.yaml (or beside a template's brand.yaml): a plain relative path. */
const localFile = text.refine((value) => !/^[a-z][a-z0-9+.-]*:/i.test(value) && !value.startsWith('/') && !value.split(/[\\/]/).includes('..'), {
  message: 'a path relative to the file that names it, such as logo.svg (no URL, no "..")',
});

/**
 * The house look, for every brief: brief.config.yaml's `brand:`, and a template's own brand.yaml
 * (which wins for briefs of that template). Templates read it as CSS custom properties and fields
 * of the view; they keep their own look for what is not set.
 */
export const brandSchema = z.object({
  logo: z
    .object({
      src: localFile.describe('SVG or PNG file, beside the file that names it.'),
      alt: text.describe('What the logo says, for screen readers and the PDF (usually the organization\'s name).'),
    })
    .optional()
    .describe('Logo in the masthead of the PDF and the handout (embedded).')
    .meta({ example: { src: 'logo.svg', alt: 'Embassy of the United States' } }),
  colors: z
    .object({
      primary: hexColor.optional().describe('Masthead rule, headings, links: CSS var(--brand-primary). Needs 4.5:1 contrast on white (npm run check).'),
      accent: hexColor.optional().describe('Series line, pull quotes, sidebar rules: CSS var(--brand-accent). Needs 4.5:1 contrast on white.'),
    })
    .optional()
    .describe('House colors, as CSS custom properties the templates use.')
    .meta({ example: { primary: '#12355b', accent: '#b31942' } }),
  fonts: z
    .object({
      text: text.optional().describe('Font of the body text: a fontsource package (@fontsource/ibm-plex-serif, installed with npm) or a family the template\'s fonts.yaml lists.'),
      headings: text.optional().describe('Font of headings, masthead, tables and captions, named the same way.'),
    })
    .optional()
    .describe('House fonts. A fontsource package\'s Latin files are embedded in the weights 400, 600 and 700; Japanese text falls back to Noto Serif JP / Noto Sans JP.')
    .meta({ example: { headings: '@fontsource/ibm-plex-sans' } }),
  running_header: text.optional().describe('Running header of pages 2 on: a pattern of {title}, {series} (with its number), {number}, {organization}, {date}, {authors}. Default: "{title}".').meta({ example: '{series} · {title}' }),
  running_footer: text.optional().describe('Running footer, beside "Page X of Y". Default: "{organization} · {date}". The organization should print once a page: in the header or the footer.').meta({ example: '{organization}' }),
});

/** brief.config.yaml's (or a template's) brand section. */
export type Brand = z.infer<typeof brandSchema>;

/** One author of a brief. */
const person = z.object({
  name: text.describe('Full name, as printed.'),
  title: text.optional().describe('Title or role, e.g. Analyst in Asian Affairs.'),
  affiliation: text.optional().describe('Organization or office, when not the publisher.'),
  email: z.email({ message: 'an e-mail address such as analyst@example.org' }).optional().describe('E-mail address (linked in the handout).'),
  orcid: z
    .string()
    .regex(/^(https:\/\/orcid\.org\/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/, { message: 'an ORCID iD such as 0000-0002-1825-0097' })
    .optional()
    .describe('ORCID iD, e.g. 0000-0002-1825-0097.'),
});
/** Where the PDF prints notes (see `notes:`). */
export const noteStyles = ['footnotes', 'endnotes'] as const;

/** Fields a brief and brief.config.yaml share; the brief's value wins. */
const shared = {
  organization: text.optional().describe('Publishing organization, shown in the masthead, the running header and the citation.').meta({ example: 'Embassy of the United States, Tokyo' }),
  series: text.optional().describe('Series label in the masthead. Default: "Policy Brief" in the brief\'s language.').meta({ example: 'Policy Brief' }),
  template: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'a template folder name: lower-case letters, digits and hyphens' })
    .optional()
    .describe('Folder under templates/ that lays the brief out. Default: policy-brief.')
    .meta({ example: 'policy-brief' }),
  page_size: z.enum(pageSizes).optional().describe('Paper size of the PDF: letter (default) or a4.').meta({ example: 'a4' }),
  notes: z
    .enum(noteStyles)
    .optional()
    .describe('Where the PDF prints the notes: footnotes (default), at the foot of the page that cites each one, numbered through the brief; or endnotes, all under "Notes" after the text. The handout links them both ways either way, beside the text on wide screens.')
    .meta({ example: 'endnotes' }),
  unsafe_html: z
    .boolean()
    .optional()
    .describe('Trust raw HTML in the Markdown: skip the sanitizer (scripts, iframes, styles, event handlers all kept). Only for content you wrote yourself. Default: false.')
    .meta({ example: false }),
  max_pages: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Page budget of the PDF: `npm run check` reports a PDF with more pages (page-budget). Default: no budget.')
    .meta({ example: 4 }),
  ignore: z
    .array(z.string().regex(/^(axe\/)?[a-z][a-z0-9-]*$/, { message: 'a rule id such as heading-skip (the name in parentheses after a message), or axe/ and an axe rule such as axe/landmark-unique' }))
    .optional()
    .describe('Rules whose messages are not shown: the ids in parentheses after messages, such as [heading-skip, stranded-heading]; `axe/` and one of axe-core\'s rule ids (the word after "axe" in its message, e.g. axe/landmark-unique) silences that accessibility rule alone. A brief\'s list adds to brief.config.yaml\'s. Errors that stop a build cannot be silenced.')
    .meta({ example: ['stranded-heading'] }),
  csl: text
    .optional()
    .describe('Citation style: chicago-note-bibliography (default: citations become notes), chicago-author-date or apa (citations in the text), or a .csl file (relative to the brief). In brief.config.yaml, the house style of every brief.')
    .meta({ example: 'apa' }),
  allow_remote: z
    .array(z.string().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, { message: 'a host name such as upload.wikimedia.org or *.example.org' }))
    .optional()
    .describe('Hosts remote images may be fetched from (at build time, then embedded); "*.example.org" allows its subdomains. Default: none, no image is fetched.')
    .meta({ example: ['upload.wikimedia.org'] }),
};

export const briefMatterSchema = z.object({
  title: text.describe('Title of the brief: the heading, the HTML <title> and the PDF Title. Required.').meta({ example: 'U.S.-Japan Relations' }),
  subtitle: text.optional().describe('Line under the title.').meta({ example: 'An overview for briefing' }),
  ...shared,
  authors: z
    .array(person)
    .default([])
    .describe('Authors, in order: the byline on page 1 and in the handout, the PDF Author, citation_author tags and the citation.')
    .meta({ example: [{ name: 'Emma Chanlett-Avery', title: 'Specialist in Asian Affairs', email: 'echanlett@example.org' }] }),
  author: text.optional().describe('One author by name: shorthand for authors: [{name: …}]. Without authors, the citation and PDF Author use the organization.').meta({ example: 'Political Section' }),
  number: z.union([text, z.number().int().nonnegative()]).transform(String).optional().describe('The brief\'s number in its series, printed in the masthead and the citation ("Policy Brief No. 12").').meta({ example: 'IF10199' }),
  date: isoDate.optional().describe('Publication date, YYYY-MM-DD or YYYY-MM. Shown in the masthead and the citation, and the PDF creation date.').meta({ example: '2009-09' }),
  lang: languageTag.default('en').describe('Language of the brief (BCP 47): sets <html lang>, the PDF language, hyphenation and the labels. Default: en.').meta({ example: 'ja' }),
  summary: text.optional().describe('One sentence: the meta description, the PDF Subject and the lead under the title.').meta({ example: 'The alliance anchors the U.S. security role in East Asia.' }),
  keywords: z.array(text).default([]).describe('List of keywords: PDF Keywords and <meta name="keywords">.').meta({ example: ['Japan', 'alliance'] }),
  key_points: z.array(text).default([]).describe('List of key points, boxed on the first page (or write a :::key-points block).').meta({ example: ['The alliance anchors the U.S. role in East Asia.'] }),
  facts: z
    .array(z.object({ label: text.describe('What the figure is.'), value: text.describe('The figure.') }))
    .default([])
    .describe('"At a glance" box on the first page: a list of label/value pairs.')
    .meta({ example: [{ label: 'U.S. troops in the region', value: 'about 53,000' }] }),
  translations: z
    .array(
      z.object({
        lang: languageTag.describe('Language of the other edition.'),
        href: href.describe('The other edition: its .md file (relative), or an http(s) URL.'),
        label: text.optional().describe('Link text. Default: the language\'s own name, e.g. 日本語.'),
      }),
    )
    .default([])
    .describe('Other editions of this brief; each becomes a language switch in the masthead.')
    .meta({ example: [{ lang: 'ja', href: 'us-japan-relations.ja.md', label: '日本語' }] }),
  links: z.array(link).default([]).describe('Footer links (label and href), listed on the last page and in the HTML footer.').meta({ example: [{ label: 'Embassy home', href: 'https://jp.usembassy.gov/' }] }),
  contact: z
    .object({
      name: text.optional().describe('Office or person.'),
      email: z.email({ message: 'an e-mail address such as press@example.org' }).optional().describe('E-mail address.'),
      phone: text.optional().describe('Telephone number.'),
      url: webUrl.optional().describe('Web page (http or https).'),
    })
    .optional()
    .describe('Contact block on the last page.')
    .meta({ example: { name: 'Public Affairs Section', url: 'https://jp.usembassy.gov/contact/' } }),
  url: webUrl.optional().describe('Where the HTML handout is published: used in the citation.').meta({ example: 'https://example.org/briefs/us-japan-relations.html' }),
  citation: text.optional().describe('Suggested citation, when the one built from title, organization, date and url does not fit.'),
  disclaimer: text.optional().describe('Disclaimer printed at the end.').meta({ example: 'Views expressed are the authors\' own.' }),
  bibliography: z
    .union([bibliographyFile, z.array(bibliographyFile).min(1, { message: 'at least one file' })])
    .optional()
    .describe('Works the brief cites with [@key]: a BibTeX/BibLaTeX (.bib), CSL-JSON (.json) or CSL-YAML (.yaml) file beside the brief, or a list of them. The works cited end the brief as its bibliography.')
    .meta({ example: 'refs.bib' }),
  nocite: z
    .union([text, z.array(text)])
    .optional()
    .describe('Works listed in the bibliography though not cited: keys such as [smith2020, doe2019], or "@*" for every work.')
    .meta({ example: ['doe2019'] }),
  toc: z.boolean().optional().describe('Table of contents: true or false. Default: on when the PDF has more than four pages.').meta({ example: true }),
});

/** A brief's front matter after validation and defaults. */
export type BriefMatter = z.infer<typeof briefMatterSchema>;

export const configSchema = z.object({
  ...shared,
  brand: brandSchema.optional().describe('House branding for every brief: logo, colors, fonts, running header and footer. A template\'s own brand.yaml wins for its briefs.'),
  base_url: webUrl.optional().describe('Address where output/ is published; gives each handout its url when the brief sets none.').meta({ example: 'https://example.org/briefs/' }),
  limits: z
    .object({
      max_bytes: z.number().int().positive().default(LIMIT_DEFAULTS.max_bytes).describe('Largest Markdown file, in bytes. Default: 2 MiB.'),
      render_timeout_ms: z.number().int().positive().default(LIMIT_DEFAULTS.render_timeout_ms).describe('Longest time Chrome may take to load and print one brief, in milliseconds. Default: 30000.'),
      max_depth: z.number().int().positive().max(1000).default(LIMIT_DEFAULTS.max_depth).describe('Deepest nesting of Markdown or HTML (lists in quotes in lists, emphasis, HTML elements), measured on the parsed trees; code does not count. Default: 48; at most 1000, past which the tools that walk the trees would run out of stack.'),
      max_image_bytes: z.number().int().positive().default(LIMIT_DEFAULTS.max_image_bytes).describe('Largest image embedded in a brief, in bytes. Default: 10 MiB.'),
      max_data_bytes: z.number().int().positive().default(LIMIT_DEFAULTS.max_data_bytes).describe('Largest data file a chart reads (CSV, TSV, JSON), and largest bibliography or citation style, in bytes. Default: 5 MiB.'),
      fetch_timeout_ms: z.number().int().positive().default(LIMIT_DEFAULTS.fetch_timeout_ms).describe('Longest time to fetch one image from an allow_remote host, in milliseconds. Default: 10000.'),
    })
    .prefault({})
    .describe('Caps that keep one bad brief from stalling a build.'),
});

/** brief.config.yaml after validation and defaults. */
export type Config = z.infer<typeof configSchema>;
