import type { Element, Root, RootContent } from 'hast';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Hyphenator = (text: string) => string;

const require = createRequire(import.meta.url);
const hyphenators = new Map<string, Hyphenator | undefined>();

/**
 * Elements whose text must keep its exact spelling (SVG text never wraps), and headings, table
 * cells and captions: never hyphenated in print (Chrome builds the PDF outline from heading text;
 * a cell's "analy-sis" or a caption's broken word reads badly in a narrow column).
 */
const KEEP = new Set(['svg', 'code', 'pre', 'kbd', 'samp', 'var', 'script', 'style', 'abbr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'th', 'td', 'caption', 'figcaption']);
/** Scripts with no hyphenation: line breaking is by character. */
const NO_HYPHENATION = /^(ja|zh|ko|th)\b/i;

/**
 * Inserts soft hyphens (U+00AD) by the language's TeX patterns, for the printed page: Chromium
 * only hyphenates with dictionaries it downloads at run time, and a headless Linux build has
 * none, so `hyphens: auto` alone would print ragged justified text. Text in another language
 * (`lang` on an element) uses that language's patterns; code and URLs are never touched.
 */
export default function rehypeHyphenate(options: { lang: string }) {
  return (tree: Root) => {
    walk(tree.children, hyphenatorFor(options.lang));
  };
}

function walk(nodes: RootContent[], hyphenate: Hyphenator | undefined): void {
  for (const node of nodes) {
    if (node.type === 'text') {
      if (hyphenate && !/^\s*$/.test(node.value)) node.value = hyphenateWords(node.value, hyphenate);
    } else if (node.type === 'element') {
      if (KEEP.has(node.tagName) || isUrlLink(node) || isBlockTitle(node)) continue;
      const lang = node.properties.lang;
      walk(node.children, typeof lang === 'string' ? hyphenatorFor(lang) : hyphenate);
    }
  }
}

/**
 * The title line of a block (sidebar, callout, key points: class "…-title"): short, set in
 * letter-spaced capitals, where Chromium draws a soft hyphen as a visible one ("SIDE-BAR").
 */
function isBlockTitle(node: Element): boolean {
  const classes = node.properties.className;
  return Array.isArray(classes) && classes.some((name) => String(name).endsWith('-title'));
}

/** Hyphenates words only: tokens with "/", "@" or digits (URLs, addresses, figures) stay whole. */
function hyphenateWords(text: string, hyphenate: Hyphenator): string {
  return text.replace(/[^\s]+/g, (token) => (/[\/@\d]/.test(token) || token.length < 7 ? token : keepEnds(hyphenate(token))));
}

/**
 * Drops break points that would leave fewer than 2 letters before or 3 after (TeX's
 * lefthyphenmin and righthyphenmin for English), or a single letter between two breaks ("de-mo-c-ra-t-ic" → "de-mo-cra-tic").
 */
function keepEnds(word: string): string {
  return word.replace(/[\p{L}\p{M}'’]+(\u00ad[\p{L}\p{M}'’]+)+/gu, (hyphenated) => {
    const parts = hyphenated.split('\u00ad');
    for (let index = 1; index < parts.length - 1; index++) {
      if (parts[index]!.length === 1) parts.splice(index, 2, parts[index]! + parts[index + 1]!);
    }
    while (parts.length > 1 && parts[0]!.length < 2) parts.splice(0, 2, parts[0]! + parts[1]!);
    while (parts.length > 1 && parts[parts.length - 1]!.length < 3) parts.splice(-2, 2, parts[parts.length - 2]! + parts[parts.length - 1]!);
    return parts.join('\u00ad');
  });
}

function isUrlLink(node: Element): boolean {
  const href = node.properties.href;
  const first = node.children[0];
  return node.tagName === 'a' && typeof href === 'string' && first?.type === 'text' && first.value.trim() === href.replace(/^mailto:/, '');
}

/** The hyphenator for a language tag (en-GB → en-gb patterns, then en), or none. */
function hyphenatorFor(lang: string): Hyphenator | undefined {
  const tag = lang.toLowerCase();
  if (NO_HYPHENATION.test(tag)) return undefined;
  if (hyphenators.has(tag)) return hyphenators.get(tag);
  const packageDir = dirname(require.resolve('hyphen/package.json'));
  const candidates = [tag, tag.split('-')[0]!, ...(tag.startsWith('en') ? ['en-us'] : [])];
  const found = candidates.find((candidate) => /^[a-z-]+$/.test(candidate) && existsSync(join(packageDir, candidate, 'index.js')));
  const hyphenator = found ? (require(`hyphen/${found}`) as { hyphenateSync: (text: string, options?: { minWordLength?: number }) => string }).hyphenateSync : undefined;
  const bound = hyphenator ? (text: string) => hyphenator(text, { minWordLength: 6 }) : undefined;
  hyphenators.set(tag, bound);
  return bound;
}
