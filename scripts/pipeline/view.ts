import type { Heading, Labels } from './file-data.ts';
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
  author: string;
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
    citation: { title: string; author: string; date: string | null; language: string; institution: string | null; pdfUrl: string | null; htmlUrl: string | null; keywords: string[] };
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
}

/** Builds the template's view of one brief for one target. */
export function buildView(input: ViewInput): BriefView {
  const { matter, config, labels, target } = input;
  const organization = matter.organization ?? config.organization ?? null;
  const series = matter.series ?? config.series ?? labels.series ?? 'Policy Brief';
  const author = matter.author ?? organization ?? '';
  const date = matter.date ? { iso: matter.date, text: formatDate(matter.date, matter.lang) } : null;
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
    citation: matter.citation ?? citation(labels.citation_pattern ?? '{author}. "{title}." {series}, {date}. {url}', { author, title: matter.title, series, date: date?.text ?? '', url: input.url ?? '' }),
    disclaimer: matter.disclaimer ?? null,
    url: input.url,
    toc: input.toc,
    body: input.body.html,
    labels,
    page: {
      size: (matter.page_size ?? config.page_size ?? 'letter') === 'a4' ? 'A4' : 'letter',
      runningHead: matter.title,
      runningFoot: [organization, date?.text].filter(Boolean).join(' · '),
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
        author,
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

/**
 * Fills a citation pattern. An empty part goes with the punctuation that closes it ("{date}. ",
 * "{date}。"), so no stray mark is left; nothing else is removed, which keeps languages written
 * without spaces whole.
 */
export function citation(pattern: string, parts: Record<string, string>): string {
  let text = pattern;
  for (const [name, value] of Object.entries(parts)) {
    if (!value) text = text.replace(new RegExp(`\\{${name}\\}[.,;:!?。、，．」』）)”"]*\\s*`), '');
  }
  // One pass, so a value that itself reads "{date}" stays as written.
  text = text.replace(/\{(\w+)\}/g, (placeholder, name: string) => parts[name] || placeholder);
  return text.replace(/\s+/g, ' ').replace(/\s([.,])/g, '$1').replace(/[\s,;:、，]+$/u, '').trim();
}
