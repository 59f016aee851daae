/**
 * Pandoc's citation syntax, read from the text of one Markdown text node: `[@key]`,
 * `[@key, p. 14]`, `[see @a; @b]`, `[-@key]` (author suppressed) and narrative `@key` (with an
 * optional `[p. 14]` right after it). Keys with a cross-reference prefix (`fig-`, `tbl-`, `sec-`)
 * are left to the cross-reference plugin and never read as citations.
 */

/** One work cited, as the CSL processor takes it (prefix, locator, suffix, flags). */
export interface CiteItem {
  key: string;
  prefix?: string;
  suffix?: string;
  locator?: string;
  /** The CSL locator label: page, chapter, section… */
  label?: string;
  suppressAuthor?: boolean;
}

/** A citation found in the text: offsets into the text (end exclusive), its works, and its form. */
export interface CitationMatch {
  start: number;
  end: number;
  /** Offset of each item's key (at its "@"), for messages about that key. */
  keyOffsets: number[];
  items: CiteItem[];
  /** `@key` in running text ("Smith says…"), as opposed to `[@key]`. */
  narrative: boolean;
}

/** Prefixes that mark cross-references, never citation keys. */
export const RESERVED_PREFIXES = ['fig-', 'tbl-', 'sec-'] as const;

/** Locator terms Pandoc understands (English), and the CSL label each stands for. */
const LOCATOR_TERMS: Record<string, string> = {
  p: 'page', pp: 'page', page: 'page', pages: 'page',
  chap: 'chapter', chaps: 'chapter', chapter: 'chapter', chapters: 'chapter', ch: 'chapter',
  sec: 'section', secs: 'section', section: 'section', sections: 'section', '§': 'section', '§§': 'section',
  para: 'paragraph', paras: 'paragraph', paragraph: 'paragraph', paragraphs: 'paragraph', '¶': 'paragraph', '¶¶': 'paragraph',
  vol: 'volume', vols: 'volume', volume: 'volume', volumes: 'volume',
  fig: 'figure', figs: 'figure', figure: 'figure', figures: 'figure',
  l: 'line', ll: 'line', line: 'line', lines: 'line',
  n: 'note', nn: 'note', note: 'note', notes: 'note',
  no: 'issue', nos: 'issue', issue: 'issue',
  col: 'column', cols: 'column', column: 'column', columns: 'column',
  pt: 'part', pts: 'part', part: 'part', parts: 'part',
  bk: 'book', bks: 'book', book: 'book', books: 'book',
  v: 'verse', vv: 'verse', verse: 'verse', verses: 'verse',
  fol: 'folio', fols: 'folio', folio: 'folio',
  'op': 'opus', opp: 'opus', opus: 'opus',
  'sv': 'sub-verbo', 'sub verbo': 'sub-verbo', 's.v': 'sub-verbo',
};

const WORD = /[\p{L}\p{N}_]/u;
/**
 * What may not come right before a citation's "@": the characters of an e-mail address's local
 * part. Japanese and Chinese letters may, since those languages put no space before a word.
 */
const EMAIL_BEFORE = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}_.+\-]/u;
/** Letters of scripts written without spaces between words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]/u;
/** Longest bracketed citation and braced key read: past these, text is not a citation, and adversarial text ("[{[{[{…") stays linear. */
const MAX_BRACKET = 2000;
const MAX_BRACED_KEY = 200;
const INNER_PUNCTUATION = ':.#$%&-+?<>~/';

/**
 * Finds the citations in `text`. `escaped` holds offsets of characters the author escaped with a
 * backslash (`\@`, `\[`): those never start a citation.
 */
export function parseCitations(text: string, escaped: ReadonlySet<number> = new Set(), known?: ReadonlySet<string>): CitationMatch[] {
  const matches: CitationMatch[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '[' && !escaped.has(index)) {
      const bracketed = readBracketed(text, index, escaped, known);
      if (bracketed) {
        matches.push(bracketed);
        index = bracketed.end;
        continue;
      }
    } else if (char === '@' && !escaped.has(index) && !(index > 0 && EMAIL_BEFORE.test(text[index - 1]!))) {
      const key = readKey(text, index, known);
      if (key && !isReserved(key.key)) {
        const match: CitationMatch = { start: index, end: key.end, keyOffsets: [index], items: [{ key: key.key }], narrative: true };
        // "@smith04 [p. 33]": a bracket right after a narrative citation, with no key in it, is its locator.
        const after = /^ ?\[/.exec(text.slice(key.end));
        if (after && !escaped.has(key.end + after[0].length - 1)) {
          const close = closingBracket(text, key.end + after[0].length - 1);
          const inner = close === -1 ? undefined : text.slice(key.end + after[0].length, close);
          if (inner !== undefined && !inner.includes('@')) {
            Object.assign(match.items[0]!, splitSuffix(inner));
            match.end = close + 1;
          }
        }
        matches.push(match);
        index = match.end;
        continue;
      }
    }
    index++;
  }
  return matches;
}

/** True for keys that belong to cross-references (`fig-…`, `tbl-…`, `sec-…`). */
export function isReserved(key: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** `[…]` whose every `;`-separated part holds exactly one `@key`; undefined when it is not a citation. */
function readBracketed(text: string, open: number, escaped: ReadonlySet<number>, known: ReadonlySet<string> | undefined): CitationMatch | undefined {
  const close = closingBracket(text, open);
  if (close === -1) return undefined;
  const items: CiteItem[] = [];
  const keyOffsets: number[] = [];
  let partStart = open + 1;
  for (let index = open + 1; index <= close; index++) {
    if (index !== close && !(text[index] === ';' && !escaped.has(index))) continue;
    const item = readItem(text, partStart, index, escaped, known);
    if (!item) return undefined;
    items.push(item.item);
    keyOffsets.push(item.keyOffset);
    partStart = index + 1;
  }
  return { start: open, end: close + 1, keyOffsets, items, narrative: false };
}

/** One part of a bracketed citation: prefix, `-`?, `@key`, then locator and suffix. */
function readItem(text: string, start: number, end: number, escaped: ReadonlySet<number>, known: ReadonlySet<string> | undefined): { item: CiteItem; keyOffset: number } | undefined {
  let at = -1;
  for (let index = start; index < end; index++) {
    if (text[index] !== '@' || escaped.has(index)) continue;
    // "-@key" suppresses the author: then it is the character before the "-" that counts.
    const dash = index > start && text[index - 1] === '-' ? 1 : 0;
    const before = index - dash > start ? text[index - dash - 1]! : ' ';
    if (EMAIL_BEFORE.test(before)) continue;
    if (at !== -1) return undefined;
    at = index;
  }
  if (at === -1) return undefined;
  const key = readKey(text, at, known);
  if (!key || key.end > end || isReserved(key.key)) return undefined;
  const suppressAuthor = at > start && text[at - 1] === '-';
  const prefix = text.slice(start, suppressAuthor ? at - 1 : at).trim();
  const item: CiteItem = { key: key.key, ...splitSuffix(text.slice(key.end, end)) };
  if (prefix) item.prefix = `${prefix} `;
  if (suppressAuthor) item.suppressAuthor = true;
  return { item, keyOffset: at };
}

/**
 * A key after "@": `@{any text}` or letters, digits and `_` with inner punctuation. Japanese text
 * runs on after a key without a space ("@smith2020によれば"): when the whole run is not a known
 * key but the part before a change into such a script is, that part is the key.
 */
function readKey(text: string, at: number, known?: ReadonlySet<string>): { key: string; end: number } | undefined {
  if (text[at + 1] === '{') {
    const close = text.slice(at + 2, at + 2 + MAX_BRACED_KEY).indexOf('}') + at + 2;
    if (close === at + 1 || close === at + 2) return undefined;
    return { key: text.slice(at + 2, close), end: close + 1 };
  }
  let index = at + 1;
  if (index >= text.length || !WORD.test(text[index]!)) return undefined;
  while (index < text.length) {
    const char = text[index]!;
    if (WORD.test(char)) index++;
    else if (INNER_PUNCTUATION.includes(char) && index + 1 < text.length && WORD.test(text[index + 1]!)) index++;
    else break;
  }
  const key = text.slice(at + 1, index);
  if (known && !known.has(key)) {
    for (let cut = index - 1; cut > at + 1; cut--) {
      if (UNSPACED.test(text[cut]!) && !UNSPACED.test(text[cut - 1]!) && known.has(text.slice(at + 1, cut))) return { key: text.slice(at + 1, cut), end: cut };
    }
  }
  return { key, end: index };
}

/** The `]` closing the `[` at `open` on the same text, skipping `{…}` groups; -1 when none, or when another `[` comes first. */
function closingBracket(text: string, open: number): number {
  let braces = 0;
  for (let index = open + 1; index < Math.min(text.length, open + MAX_BRACKET); index++) {
    const char = text[index]!;
    if (char === '{') braces++;
    else if (char === '}') braces = Math.max(0, braces - 1);
    else if (char === '[') return -1;
    else if (braces === 0 && char === ']') return index;
  }
  return -1;
}

/**
 * What follows a key: a locator (`, p. 14`, `, chap. 3`, `, 33–35`, `, {iv, 3}`) and the rest as
 * suffix, as Pandoc reads it.
 */
export function splitSuffix(raw: string): Pick<CiteItem, 'locator' | 'label' | 'suffix'> {
  const text = raw.replace(/^\s*,?\s*/, '');
  if (!text) return {};
  const term = /^([\p{L}§¶]+(?: verbo)?\.?)\s*/u.exec(text);
  let label: string | undefined;
  let rest = text;
  if (term) {
    const name = term[1]!.replace(/\.$/, '').toLowerCase();
    if (LOCATOR_TERMS[name]) {
      label = LOCATOR_TERMS[name];
      rest = text.slice(term[0].length);
    }
  }
  const value = /^(\{([^}]*)\}|[\p{N}ivxlcdmIVXLCDM]*\p{N}[\p{N}\p{L}]*(?:\s*[-–—,&]\s*[\p{N}ivxlcdmIVXLCDM]+)*|[ivxlcdmIVXLCDM]+(?:\s*[-–—,&]\s*[ivxlcdmIVXLCDM\p{N}]+)*)/u.exec(rest);
  if (value && (label || /^\p{N}|\{/u.test(value[0]))) {
    const locator = value[2] ?? value[1]!;
    const suffix = rest.slice(value[0].length);
    return { locator, label: label ?? 'page', ...(suffix.trim() ? { suffix: suffix.replace(/^\s*(?=,)/, '') } : {}) };
  }
  // No locator: the whole text is a suffix, separated as the author wrote it.
  return { suffix: raw.startsWith(',') || /^\s*,/.test(raw) ? `, ${text}` : ` ${text}` };
}
