import type { Heading, Labels } from './file-data.ts';
import type { ResolvedBrand } from './brand.ts';
import { smarten } from './plugins/remark-typography.ts';
import { cssString } from './template.ts';
import type { BriefMatter, Config } from './schema.ts';

/** What an output is for: the HTML handout, or the page Chrome prints to PDF. */
export type Target = 'html' | 'pdf';

/** One line of the table of contents; `page` is filled in for the PDF once it is known. */
export interface TocEntry {
  id: string;
  text: string;
  depth: number;
  page: string | null;
}

/** Everything the template may print, computed here so templates hold no logic. */
export interface BriefView {
  lang: string;
  forPrint: boolean;
  title: string;
  subtitle: string | null;
  series: string;
  organization: string | null;
  /** Names of the authors as one phrase ("A, B, and C"), or the organization when none is named: PDF Author, meta author. */
  author: string;
  /** The byline: each author with title, affiliation, e-mail and ORCID link, or an empty list. */
  authors: { name: string; title: string | null; affiliation: string | null; email: string | null; orcid: string | null }[];
  /** The brief's number in its series, as given ("12", "IF10199"), or null. */
  number: string | null;
  /** The series with its number, as the masthead and citation print it: "Policy Brief No. 12". */
  seriesNumber: string;
  /** The house look: the logo (embedded) and the CSS custom properties of brand colors and fonts. */
  brand: { logo: { src: string; alt: string; namesOrganization: boolean } | null; css: string };
  summary: string | null;
  keywords: string;
  date: { iso: string; text: string } | null;
  keyPoints: { items: string[]; html: string | null } | null;
  /** Whether the first page has a key-points or facts box. */
  boxes: boolean;
  facts: { label: string; value: string }[];
  translations: { lang: string; label: string; href: string }[];
  links: { label: string; href: string }[];
  contact: { name: string | null; email: string | null; phone: string | null; url: string | null } | null;
  citation: string;
  disclaimer: string | null;
  url: string | null;
  toc: TocEntry[] | null;
  body: string;
  labels: Labels;
  page: { size: string; runningHead: string; runningFoot: string };
  css: { fonts: string; screen: string; print: string };
  pdfHref: string | null;
  generator: string;
  /** What search engines, link previews and reference managers read from the handout's head. */
  meta: {
    canonical: string | null;
    og: { type: string; title: string; description: string | null; locale: string; url: string | null; siteName: string | null; publishedTime: string | null };
    citation: { title: string; authors: string[]; date: string | null; language: string; institution: string | null; pdfUrl: string | null; htmlUrl: string | null; keywords: string[] };
  };
}

export interface ViewInput {
  matter: BriefMatter;
  config: Config;
  labels: Labels;
  target: Target;
  body: { html: string; keyPointsHtml: string | null };
  toc: TocEntry[] | null;
  css: { fonts: string; screen: string; print: string };
  /** The brief's own output names (for the PDF link beside the handout). */
  outputs: { html: string; pdf: string | null };
  /** The handout's published address, when known. */
  url: string | null;
  generator: string;
  /** The house branding, resolved (config and template). */
  brand?: ResolvedBrand;
}

/** Builds the template's view of one brief for one target. */
export function buildView(input: ViewInput): BriefView {
  const { config, labels, target } = input;
  const matter = typesetMatter(input.matter);
  const organization = matter.organization ?? config.organization ?? null;
  const series = matter.series ?? config.series ?? labels.series ?? 'Policy Brief';
  const authors = (matter.authors.length > 0 ? matter.authors : matter.author ? [{ name: matter.author }] : []).map((person) => ({
    name: person.name,
    title: 'title' in person ? (person.title ?? null) : null,
    affiliation: 'affiliation' in person ? (person.affiliation ?? null) : null,
    email: 'email' in person ? (person.email ?? null) : null,
    orcid: 'orcid' in person && person.orcid ? (person.orcid.startsWith('https://') ? person.orcid : `https://orcid.org/${person.orcid}`) : null,
  }));
  const names = authorNames(matter);
  const author = names || organization || '';
  const date = matter.date ? { iso: matter.date, text: formatDate(matter.date, matter.lang) } : null;
  const number = matter.number ?? null;
  const seriesNumber = number ? fill(labels.series_number ?? '{series} No. {number}', { series, number }) : series;
  const brand = input.brand;
  const running = { title: matter.title, series: seriesNumber, number: number ?? '', organization: organization ?? '', date: date?.text ?? '', authors: names };
  const keyPointsHtml = input.body.keyPointsHtml;
  const keyPoints = matter.key_points.length > 0 || keyPointsHtml ? { items: matter.key_points, html: keyPointsHtml } : null;
  return {
    lang: matter.lang,
    forPrint: target === 'pdf',
    title: matter.title,
    subtitle: matter.subtitle ?? null,
    series,
    organization,
    author,
    authors,
    number,
    seriesNumber,
    brand: {
      // A logo whose alt text is the organization's name, printed beside it: screen readers hear the name once.
      logo: brand?.logo ? { src: brand.logo.src, alt: brand.logo.alt, namesOrganization: brand.logo.alt.trim().toLowerCase() === (organization ?? '').trim().toLowerCase() } : null,
      css: brandCss(brand),
    },
    summary: matter.summary ?? null,
    keywords: matter.keywords.join(', '),
    date,
    keyPoints,
    boxes: keyPoints !== null || matter.facts.length > 0,
    facts: matter.facts,
    translations: matter.translations.map((translation) => ({
      lang: translation.lang,
      label: translation.label ?? languageName(translation.lang),
      href: editionHref(translation.href, target),
    })),
    links: matter.links,
    contact: matter.contact
      ? { name: matter.contact.name ?? null, email: matter.contact.email ?? null, phone: matter.contact.phone ?? null, url: matter.contact.url ?? null }
      : null,
    citation:
      matter.citation ??
      citation(labels.citation_pattern ?? '{authors}, “{title},” {series}, {organization}, {date}, {url}.', {
        authors: names,
        title: matter.title,
        series: seriesNumber,
        organization: organization ?? '',
        date: date?.text ?? '',
        url: input.url ?? '',
      }),
    disclaimer: matter.disclaimer ?? null,
    url: input.url,
    toc: input.toc,
    body: input.body.html,
    labels,
    page: {
      size: (matter.page_size ?? config.page_size ?? 'letter') === 'a4' ? 'A4' : 'letter',
      runningHead: citation(brand?.running_header ?? labels.running_header ?? '{title}', running),
      runningFoot: citation(brand?.running_footer ?? labels.running_footer ?? '{organization} · {date}', running),
    },
    css: input.css,
    pdfHref: target === 'html' ? input.outputs.pdf : null,
    generator: input.generator,
    meta: {
      canonical: input.url,
      og: {
        type: 'article',
        title: matter.title,
        description: matter.summary ?? null,
        locale: ogLocale(matter.lang),
        url: input.url,
        siteName: organization,
        publishedTime: matter.date ?? null,
      },
      citation: {
        title: matter.title,
        authors: authors.length > 0 ? authors.map((person) => person.name) : organization ? [organization] : [],
        date: matter.date ? matter.date.replaceAll('-', '/') : null,
        language: matter.lang,
        institution: organization,
        pdfUrl: input.outputs.pdf && input.url ? new URL(input.outputs.pdf, input.url).href : input.outputs.pdf,
        htmlUrl: input.url,
        keywords: matter.keywords,
      },
    },
  };
}

/** The front matter's prose set like the body: typographic quotes, apostrophes and dashes. */
function typesetMatter(matter: BriefMatter): BriefMatter {
  const set = (text: string) => smarten(text, matter.lang);
  const maybe = (text: string | undefined) => (text === undefined ? undefined : set(text));
  return {
    ...matter,
    title: set(matter.title),
    subtitle: maybe(matter.subtitle),
    summary: maybe(matter.summary),
    disclaimer: maybe(matter.disclaimer),
    key_points: matter.key_points.map(set),
    facts: matter.facts.map((fact) => ({ label: set(fact.label), value: set(fact.value) })),
  };
}

/** Open Graph's locale, language_TERRITORY: en → en_US, ja → ja_JP, en-GB → en_GB. */
function ogLocale(lang: string): string {
  const [language, region] = lang.split('-');
  const defaults: Record<string, string> = { en: 'US', ja: 'JP', fr: 'FR', de: 'DE', es: 'ES', zh: 'CN', ko: 'KR' };
  const territory = region?.toUpperCase() ?? defaults[language!.toLowerCase()];
  return territory ? `${language!.toLowerCase()}_${territory}` : language!.toLowerCase();
}

/** "September 2009", "30 September 2009", "2009年9月30日": the date as the brief's language writes it. */
export function formatDate(iso: string, lang: string): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number | undefined];
  const date = new Date(Date.UTC(year, month - 1, day ?? 1));
  const key = `${lang}|${day ? 'day' : 'month'}`;
  let format = dateFormats.get(key);
  if (!format) {
    // Making an Intl.DateTimeFormat costs a millisecond or two: one per language and shape.
    format = new Intl.DateTimeFormat(lang, day ? { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' } : { year: 'numeric', month: 'long', timeZone: 'UTC' });
    dateFormats.set(key, format);
  }
  return format.format(date);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A language's name in that language: ja → 日本語, en → English. */
export function languageName(lang: string): string {
  try {
    const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang);
    return name ? name.charAt(0).toLocaleUpperCase(lang) + name.slice(1) : lang;
  } catch {
    return lang;
  }
}

/** A link to another edition: its .md file becomes that brief's .html (handout) or .pdf (print). */
export function editionHref(href: string, target: Target): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) return href;
  return href.replace(/\.md(#.*)?$/i, (_, hash: string | undefined) => `.${target}${hash ?? ''}`);
}

/** The authors' names as one phrase ("A and B"), from `authors:` or the `author:` shorthand; empty when none. */
export function authorNames(matter: BriefMatter): string {
  return listOf(matter.authors.length > 0 ? matter.authors.map((person) => person.name) : matter.author ? [matter.author] : [], matter.lang);
}

/** Names as the language lists them: "A and B", "A, B, and C", "A、B、C". */
export function listOf(names: string[], lang: string): string {
  if (names.length === 0) return '';
  try {
    return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}

/** The brand's colors and fonts as CSS custom properties on :root; empty when the brand sets none. */
export function brandCss(brand: ResolvedBrand | undefined): string {
  const properties: string[] = [];
  if (brand?.colors?.primary) properties.push(`--brand-primary:${brand.colors.primary}`);
  if (brand?.colors?.accent) properties.push(`--brand-accent:${brand.colors.accent}`);
  // The Japanese faces follow the house face, so Japanese text never falls to a computer's font.
  if (brand?.fonts?.text) properties.push(`--brand-text-font:${cssString(brand.fonts.text)},"Noto Serif JP",serif`);
  if (brand?.fonts?.headings) properties.push(`--brand-heading-font:${cssString(brand.fonts.headings)},"Noto Sans JP",sans-serif`);
  return properties.length > 0 ? `:root{${properties.join(';')}}` : '';
}

/** A label pattern filled in: "{series} No. {number}". */
function fill(pattern: string, parts: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (placeholder, name: string) => parts[name] ?? placeholder);
}

/**
 * Fills a citation pattern. An empty part goes with the punctuation that closes it ("{date}. ",
 * "{date}。"), so no stray mark is left; nothing else is removed, which keeps languages written
 * without spaces whole.
 */
export function citation(pattern: string, parts: Record<string, string>): string {
  let text = pattern;
  for (const [name, value] of Object.entries(parts)) {
    if (!value) text = text.replace(new RegExp(`\\{${name}\\}[.,;:!?。、，．」』）)”"·|]*\\s*`), '');
  }
  // One pass, so a value that itself reads "{date}" stays as written.
  text = text.replace(/\{(\w+)\}/g, (placeholder, name: string) => parts[name] || placeholder);
  text = text.replace(/\s+/g, ' ').replace(/\s([.,])/g, '$1').replace(/[\s,;:、，·|–—-]+$/u, '').replace(/^[\s,;:、，·|]+/u, '').trim();
  // A title whose comma led to a part that is missing ends the citation: “Title,” → “Title.”
  text = text.replace(/,([”"])$/u, '.$1');
  // A pattern that ends with a full stop keeps it, whichever part came last.
  if (/\.\s*$/.test(pattern) && !/[.!?。][”"’]?$/u.test(text)) text += '.';
  return text;
}
