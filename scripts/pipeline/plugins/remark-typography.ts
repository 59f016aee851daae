import type { Link, Root, Text } from 'mdast';
import { retext } from 'retext';
import retextSmartypants, { type Options } from 'retext-smartypants';
import remarkSmartypants from 'remark-smartypants';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { Remembered } from '../remembered.ts';

/** Languages set without Latin quotes and dashes: their text stays exactly as written (「」, full-width forms). */
const AS_WRITTEN = /^(ja|zh|ko)\b/i;

/** Quotation marks by language (primary subtag); English's are the default. */
const QUOTES: Record<string, Pick<Options, 'openingQuotes' | 'closingQuotes'>> = {
  en: { openingQuotes: { double: '“', single: '‘' }, closingQuotes: { double: '”', single: '’' } },
  de: { openingQuotes: { double: '„', single: '‚' }, closingQuotes: { double: '“', single: '‘' } },
  fr: { openingQuotes: { double: '«\u202f', single: '‹\u202f' }, closingQuotes: { double: '\u202f»', single: '\u202f›' } },
};

/** SmartyPants settings for a language: its quotes, `--` an en dash, `---` an em dash, `...` an ellipsis. */
export function smartypantsOptions(lang: string): Options {
  return { ...(QUOTES[lang.toLowerCase().split('-')[0]!] ?? QUOTES.en), dashes: 'oldschool', ellipses: true, backticks: false };
}

/**
 * Typographic quotes, apostrophes, dashes and ellipses in the body, by the brief's language
 * (remark-smartypants, which reads across inline nodes so a quote around a link pairs up). Code
 * is never touched (it is not text to remark), nor a link whose text is its own address, nor a
 * brief in Japanese, Chinese or Korean.
 */
export default function remarkTypography() {
  const transforms = new Map<string, (tree: Root) => void>();
  return (tree: Root, file: VFile) => {
    const lang = file.data.matter?.lang ?? 'en';
    if (AS_WRITTEN.test(lang)) return;
    let transform = transforms.get(lang);
    if (!transform) {
      // Typed as a unified plugin (`this`: a processor), but it reads neither `this` nor the file.
      transform = (remarkSmartypants as unknown as (options: Options) => (tree: Root) => void)(smartypantsOptions(lang));
      transforms.set(lang, transform);
    }
    // Addresses keep their "--" and quotes: they are put back as written afterwards.
    const addresses: [Text, string][] = [];
    visit(tree, 'link', (link: Link) => {
      for (const child of link.children) if (child.type === 'text' && isAddress(child.value, link.url)) addresses.push([child, child.value]);
    });
    transform(tree);
    for (const [node, value] of addresses) node.value = value;
  };
}

/** Front-matter texts already set: each page of a build (draft, handout, print) and each rebuild in watch mode set the same few. */
const smartened = new Remembered<string, string>(512);

/** Text of a front-matter field (title, summary, key points) set like the body. */
export function smarten(text: string, lang: string): string {
  if (AS_WRITTEN.test(lang)) return text;
  const key = `${lang}\0${text}`;
  return smartened.of(key, () => String(retext().use(retextSmartypants, smartypantsOptions(lang)).processSync(text)));
}

function isAddress(text: string, url: string): boolean {
  const value = text.trim();
  return value === url || value === url.replace(/^mailto:/, '') || /^(https?:\/\/|www\.)\S+$/i.test(value);
}
