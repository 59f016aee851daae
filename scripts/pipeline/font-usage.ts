import type { Element, Root, RootContent } from 'hast';
import { selectAll } from 'hast-util-select';
import postcss, { type AtRule, type Rule } from 'postcss';
import selectorParser from 'postcss-selector-parser';
import valueParser from 'postcss-value-parser';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import type { ResolvedFace } from './fonts.ts';
import { codeStamp, KeptOnDisk } from './kept-on-disk.ts';
import { Remembered } from './remembered.ts';

/** A style rule that sets something font-related, flattened out of @media blocks. */
interface FontRule {
  /** The selector as hast-util-select evaluates it (`:where()` read as `:is()`, whose matches are the same). */
  selector: string;
  /** What an element must have for the rule to match it: ".class", "#id", "tag" (from the rightmost compound). */
  key: string[];
  specificity: number;
  order: number;
  declarations: Record<string, string>;
  /** The model cannot tell which elements this selector matches (see fontSelectorWarnings). */
  unsupported?: string;
}

/** A selector the font model cannot evaluate, where it stands in a stylesheet. */
export interface SelectorWarning {
  line: number;
  column: number;
  selector: string;
  reason: string;
}

/** What the browser's own stylesheet does to fonts, where a template does not say otherwise. */
const USER_AGENT = `
b, strong, th, h1, h2, h3, h4, h5, h6 { font-weight: bold }
i, em, cite, var, dfn, address { font-style: italic }
code, kbd, samp, pre, tt { font-family: monospace }
`;

/** Properties this model follows. Custom properties (--serif…) are followed too. */
const FONT_PROPERTIES = new Set(['font-family', 'font-weight', 'font-style', 'font']);

/** Kana, CJK ideographs and punctuation, full-width forms: drawn by a `cjk` face. */
const CJK = /[\u2E80-\u2FFF\u3000-\u30FF\u3100-\u31FF\u3200-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF]|[\u{20000}-\u{3FFFF}]/u;

/**
 * Which characters each font face draws in a page: a small model of the CSS cascade (selectors,
 * specificity, inheritance, custom properties) over the template's stylesheets and the page's
 * HTML, so each face is cut to the glyphs it really draws (a Japanese body face gets the body's
 * kanji, the bold heading face only the headings'). Characters in CSS `content` (margin boxes,
 * markers) go to every face that could draw them, as the model does not lay pages out.
 */
export function charactersByFace(tree: Root, stylesheets: string[], faces: ResolvedFace[], covers?: (face: ResolvedFace, char: string) => boolean): Map<ResolvedFace, Set<string>> {
  const sheets = stylesheets.map(readSheet);
  const rules = parseRules([readSheet(USER_AGENT), ...sheets]);
  const present = namesIn(tree);
  // The cascade, selector by selector (in order of specificity, then source): each element's
  // declared font properties. selectAll sees ancestors, so descendant selectors work. A rule
  // whose rightmost part names a class, element or id absent from the page is skipped unasked.
  const declaredBy = new Map<Element, Record<string, string>>();
  for (const rule of rules) {
    if (rule.unsupported) continue;
    if (!rule.key.every((name) => present.has(name))) continue;
    for (const element of safeSelectAll(rule.selector, tree)) {
      const declared = declaredBy.get(element) ?? {};
      Object.assign(declared, rule.declarations);
      declaredBy.set(element, declared);
    }
  }
  const usage = new Map<ResolvedFace, Set<string>>(faces.map((face) => [face, new Set<string>()]));
  const families = new Set(faces.map((face) => face.family));

  // The characters drawn in each distinct computed font (family stack, weight, style): which face
  // draws a character depends on nothing else, so each is placed once per font, not per text.
  const textIn = new Map<string, { style: ComputedFont; family: string; chars: Set<string> }>();
  const drawn = new Set<string>();
  const draw = (text: string, style: ComputedFont) => {
    const family = resolveVariables(style.family, style.variables);
    const key = `${family}|${style.weight}|${style.style}`;
    let group = textIn.get(key);
    if (!group) {
      group = { style, family, chars: new Set() };
      textIn.set(key, group);
    }
    for (const char of withCases(text)) {
      drawn.add(char);
      group.chars.add(char);
    }
  };

  const walk = (node: Root | Element, inherited: ComputedFont) => {
    for (const child of node.children as RootContent[]) {
      if (child.type === 'text') draw(child.value, inherited);
      else if (child.type === 'element') {
        if (child.tagName === 'style' || child.tagName === 'script' || child.tagName === 'head') continue;
        const style = computeStyle(child, inherited, declaredBy.get(child) ?? {});
        walk(child, style);
        // The text of an image's alt attribute is drawn when the image is missing.
        if (typeof child.properties.alt === 'string') draw(child.properties.alt, style);
      }
    }
  };
  walk(tree, { family: 'serif', weight: 400, style: 'normal', variables: {} });

  // Which face draws Latin and which draws CJK text in each font, then each character's face.
  for (const { style, family, chars } of textIn.values()) {
    const stack = parseFamilies(family).filter((name) => families.has(name));
    // The first family that has the character draws it: Latin faces have no CJK, CJK faces are given only CJK.
    const pick = (cjk: boolean) => {
      const name = stack.find((candidate) => faces.some((face) => face.family === candidate && (face.script === 'cjk') === cjk)) ?? stack[0];
      return name ? pickFace(faces.filter((face) => face.family === name), style.weight, style.style) : undefined;
    };
    const latin = pick(false);
    const cjk = pick(true);
    for (const char of chars) {
      // Line breaks and tabs are not drawn; spaces are (the font gives their width).
      if (char === '\n' || char === '\r' || char === '\t' || char === '\f') continue;
      let face = CJK.test(char) ? cjk : latin;
      // A character the face lacks (an arrow, a symbol) is drawn, as Chrome does, by the next
      // family of the stack that has it: that face's subset must hold it.
      if (face && covers && !covers(face, char)) {
        const fallback = stack
          .map((name) => pickFace(faces.filter((candidate) => candidate.family === name), style.weight, style.style))
          .find((candidate) => candidate !== undefined && covers(candidate, char));
        face = fallback ?? face;
      }
      if (face) usage.get(face)!.add(char);
    }
  }

  // Generated text (content: "…" in any rule, margin boxes) is not placed by the model: give it to
  // every face that draws something already, and to every face of a family the @page rules name.
  const pageFamilies = new Set(sheets.flatMap((sheet) => sheet.pageFamilies));
  const receivers = faces.filter((face) => usage.get(face)!.size > 0 || pageFamilies.has(face.family));
  for (const text of sheets.flatMap((sheet) => sheet.generated)) {
    for (const char of withCases(text)) {
      if (/[\n\r\t\f]/.test(char)) continue;
      const takers = receivers.filter((face) => (face.script === 'cjk') === CJK.test(char));
      for (const face of takers) usage.get(face)!.add(char);
      // No face that would draw it has the glyph: every face that has it gets it, as fallbacks.
      if (covers && !takers.some((face) => covers(face, char))) for (const face of faces) if (covers(face, char)) usage.get(face)!.add(char);
    }
  }

  // A rule the model cannot match (reported by fontSelectorWarnings) may set any element's font:
  // the faces it could select get every character of the page, so subsets are too broad, never short.
  const unknown = rules.filter((rule) => rule.unsupported);
  if (unknown.length > 0) {
    // Named families, all their faces; a rule that names none (weight or style only) may switch
    // any family in use to another of its faces.
    const named = new Set(unknown.flatMap((rule) => familiesDeclared(rule.declarations)));
    if (unknown.some((rule) => familiesDeclared(rule.declarations).length === 0)) for (const face of faces) if (usage.get(face)!.size > 0) named.add(face.family);
    const broad = faces.filter((face) => named.has(face.family));
    for (const face of broad) for (const char of drawn) if ((face.script === 'cjk') === CJK.test(char) && (!covers || covers(face, char))) usage.get(face)!.add(char);
  }
  return usage;
}

/** The families a rule's declarations name (font-family or the font shorthand), custom properties unresolved. */
function familiesDeclared(declarations: Record<string, string>): string[] {
  const family = declarations['font-family'] ?? (declarations.font ? parseFontShorthand(declarations.font)?.family : undefined);
  return family ? parseFamilies(family) : [];
}

interface ComputedFont {
  family: string;
  weight: number;
  style: 'normal' | 'italic';
  variables: Record<string, string>;
}

/** SVG presentation attributes that set the font (a chart's <text font-family="…">), as hast names them. */
const PRESENTATION: Record<string, string> = { fontFamily: 'font-family', fontWeight: 'font-weight', fontStyle: 'font-style' };

function computeStyle(element: Element, parent: ComputedFont, fromRules: Record<string, string>): ComputedFont {
  // Presentation attributes count as author rules of the lowest specificity: any CSS rule wins.
  const presentation: Record<string, string> = {};
  for (const [property, name] of Object.entries(PRESENTATION)) {
    const value = element.properties[property];
    if (typeof value === 'string' || typeof value === 'number') presentation[name] = String(value);
  }
  const declared: Record<string, string> = { ...presentation, ...fromRules };
  if (typeof element.properties.style === 'string') Object.assign(declared, parseDeclarations(element.properties.style));
  const variables = { ...parent.variables };
  for (const [name, value] of Object.entries(declared)) if (name.startsWith('--')) variables[name] = value;
  let { family, weight, style } = parent;
  if (declared.font) {
    const shorthand = parseFontShorthand(resolveVariables(declared.font, variables));
    if (shorthand) {
      style = shorthand.style;
      weight = parseWeight(shorthand.weight, parent.weight);
      family = shorthand.family;
    }
  }
  if (declared['font-family']) family = declared['font-family'];
  if (declared['font-weight']) weight = parseWeight(resolveVariables(declared['font-weight'], variables), parent.weight);
  if (declared['font-style']) style = /italic|oblique/.test(declared['font-style']) ? 'italic' : 'normal';
  return { family, weight, style, variables };
}

/** What the font model reads from one stylesheet. */
interface Sheet {
  /** Its rules that set fonts, one per selector, in source order. */
  rules: Omit<FontRule, 'order'>[];
  /** The strings its `content` declarations draw (see generatedText). */
  generated: string[];
  /** The families its @page rules name. */
  pageFamilies: string[];
}

const readSheets = new Remembered<string, Sheet>(64);

/**
 * A stylesheet as the font model reads it, parsed once and remembered: the template's CSS is the
 * same for every brief; only the small sheet of page rules (running heads) is new each time.
 */
function readSheet(css: string): Sheet {
  return readSheets.of(css, () =>
    keptRead('sheet', css, () => {
      const root = postcss.parse(css);
      return { rules: fontRules(root), generated: contentStrings(root), pageFamilies: pageRuleFamilies(root) };
    }),
  );
}

/**
 * A template's stylesheet read by an earlier run of the same code, from the disk: every cold
 * build reads the template's CSS twice (as written, for its warnings; with its images embedded,
 * for the fonts), some 0.1 s of CPU before anything is printed. Small sheets (a brief's own page
 * rules) are read afresh: they cost less than a file.
 */
function keptRead<T>(kind: string, css: string, read: () => T): T {
  const stamp = codeStamp();
  if (stamp === undefined || css.length < KEPT_FROM_LENGTH) return read();
  const key = `${stamp}\0${kind}\0${css}`;
  const kept = sheetsOnDisk.read(key);
  if (kept) {
    try {
      return JSON.parse(kept.toString('utf8')) as T;
    } catch {
      // Damaged: read again, and replaced.
    }
  }
  const value = read();
  sheetsOnDisk.write(key, JSON.stringify(value));
  return value;
}

const KEPT_FROM_LENGTH = 4096;
const sheetsOnDisk = new KeptOnDisk(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'css'), { suffix: '.json', limit: 128 });

/** The font rules of some stylesheets, sorted by specificity, then order. */
function parseRules(sheets: Sheet[]): FontRule[] {
  const rules: FontRule[] = [];
  let order = 0;
  for (const sheet of sheets) for (const rule of sheet.rules) rules.push({ ...rule, order: order++ });
  return rules.sort((a, b) => a.specificity - b.specificity || a.order - b.order);
}

function fontRules(root: postcss.Root): Omit<FontRule, 'order'>[] {
  const rules: Omit<FontRule, 'order'>[] = [];
  root.walkRules((rule: Rule) => {
    // @page margin boxes and @font-face are not element styles.
    for (let parent = rule.parent; parent && parent.type !== 'root'; parent = parent.parent) {
      if (parent.type === 'atrule' && ['page', 'font-face', 'keyframes'].includes((parent as AtRule).name)) return;
    }
    const declarations: Record<string, string> = {};
    rule.walkDecls((declaration) => {
      if (FONT_PROPERTIES.has(declaration.prop) || declaration.prop.startsWith('--')) declarations[declaration.prop] = declaration.value;
    });
    if (Object.keys(declarations).length === 0) return;
    for (const selector of readSelectors(rule.selector)) if (selector) rules.push({ ...selector, declarations });
  });
  return rules;
}

/**
 * The pseudo-classes hast-util-select 6 evaluates (its lib/pseudo.js handlers); it throws on
 * others only when an element reaches them, so they are checked here, when the sheet is read.
 */
const SELECTABLE = new Set(['any-link', 'blank', 'checked', 'dir', 'disabled', 'empty', 'enabled', 'first-child', 'first-of-type', 'has', 'is', 'lang', 'last-child', 'last-of-type', 'not', 'nth-child', 'nth-last-child', 'nth-last-of-type', 'nth-of-type', 'only-child', 'only-of-type', 'optional', 'read-only', 'read-write', 'required', 'root', 'scope', 'where'].map((name) => `:${name}`));

/** Pseudo-classes of interaction: what they change is not the printed page. */
const INTERACTIVE = new Set([':hover', ':focus', ':active', ':visited', ':focus-visible', ':focus-within', ':target']);
/** Pseudo-elements that draw generated text (counted apart, see generatedText) or mark lists. */
const GENERATING = new Set(['::before', '::after', '::marker', ':before', ':after', '::placeholder']);
/** Pseudo-elements that restyle part of an element's own text: the model cannot place them. */
const PART_OF_TEXT = new Set(['::first-line', '::first-letter', ':first-line', ':first-letter', '::selection']);

/**
 * Each selector of a selector list, parsed: the form hast-util-select evaluates, the names its
 * rightmost compound needs, its specificity; undefined for one that styles no printed element;
 * `unsupported` with the reason for one the model cannot evaluate.
 */
function readSelectors(list: string): (Omit<FontRule, 'order' | 'declarations'> | undefined)[] {
  // The same selectors are read when the template loads (fontSelectorWarnings, on its CSS as
  // written) and when the first brief is subset (on its CSS with images embedded).
  return readSelectorLists.of(list, () => parseSelectors(list));
}

const readSelectorLists = new Remembered<string, (Omit<FontRule, 'order' | 'declarations'> | undefined)[]>(1024);

function parseSelectors(list: string): (Omit<FontRule, 'order' | 'declarations'> | undefined)[] {
  let parsed: selectorParser.Root;
  try {
    parsed = selectorParser().astSync(list);
  } catch (error) {
    return [{ selector: list, key: [], specificity: 0, unsupported: `it cannot be parsed (${(error as Error).message})` }];
  }
  return parsed.nodes.map((selector) => {
    const pseudos: string[] = [];
    selector.walkPseudos((pseudo) => {
      pseudos.push(pseudo.value.toLowerCase());
    });
    if (pseudos.some((name) => INTERACTIVE.has(name) || GENERATING.has(name))) return undefined;
    const text = selector.toString().trim();
    const partOfText = pseudos.find((name) => PART_OF_TEXT.has(name));
    if (partOfText) return { selector: text, key: [], specificity: 0, unsupported: `${partOfText} styles part of a text, which the model does not lay out` };
    const unknown = selector.nodes.length > 0 ? findUnselectable(selector) : undefined;
    if (unknown) return { selector: text, key: [], specificity: 0, unsupported: `the font model cannot evaluate ${unknown}` };
    const forMatching = selector.clone();
    forMatching.walkPseudos((pseudo) => {
      if (pseudo.value.toLowerCase() === ':where') pseudo.value = ':is';
    });
    const matching = forMatching.toString().trim();
    try {
      selectAll(matching, { type: 'root', children: [] });
    } catch (error) {
      return { selector: text, key: [], specificity: 0, unsupported: `the font model cannot evaluate it (${(error as Error).message.replace(/`/g, '"')})` };
    }
    return { selector: matching, key: keyOf(selector), specificity: specificityOf(selector) };
  });
}

/** The first pseudo-class in a selector that hast-util-select does not evaluate, such as :nth-child(2 of .x). */
function findUnselectable(selector: selectorParser.Selector): string | undefined {
  let found: string | undefined;
  selector.walkPseudos((pseudo) => {
    const name = pseudo.value.toLowerCase();
    if (found || name.startsWith('::')) return;
    if (!SELECTABLE.has(name)) found = name;
    // "An+B of S" is parsed as words by the selector parser: an "of" among them is the S form.
    else if (name.startsWith(':nth-') && pseudo.toString().split(/[\s()]+/).includes('of')) found = `${name}(… of …)`;
  });
  return found;
}

/** The classes, ids and element name of a selector's rightmost compound (not inside :is(), :not()…). */
function keyOf(selector: selectorParser.Selector): string[] {
  const nodes = selector.nodes;
  let start = nodes.length;
  while (start > 0 && nodes[start - 1]!.type !== 'combinator') start--;
  const key: string[] = [];
  for (const node of nodes.slice(start)) {
    if (node.type === 'class') key.push(`.${node.value}`);
    else if (node.type === 'id') key.push(`#${node.value}`);
    else if (node.type === 'tag' && !node.namespace) key.push(node.value.toLowerCase());
  }
  return key;
}

/**
 * Specificity as one number, ids × 10⁴ + classes, attributes and pseudo-classes × 10² + types and
 * pseudo-elements (Selectors 4, §17): :is(), :not() and :has() count as their most specific
 * argument, :where() as nothing, :nth-child(… of S) as a pseudo-class plus S.
 */
function specificityOf(selector: selectorParser.Selector | selectorParser.Pseudo): number {
  let total = 0;
  for (const node of selector.nodes) {
    if (node.type === 'id') total += 10_000;
    else if (node.type === 'class' || node.type === 'attribute') total += 100;
    else if (node.type === 'tag' && node.value !== '*') total += 1;
    else if (node.type === 'pseudo') {
      const name = node.value.toLowerCase();
      const inner = Math.max(0, ...node.nodes.map((argument) => specificityOf(argument as selectorParser.Selector)));
      if (name === ':where') continue;
      if (name === ':is' || name === ':not' || name === ':has' || name === ':matches') total += inner;
      else if (name.startsWith('::') || PART_OF_TEXT.has(name) || GENERATING.has(name)) total += 1;
      else total += 100 + (name.startsWith(':nth-') ? inner : 0);
    }
  }
  return total;
}

/** Every class (".x"), id ("#x") and element name in a tree. */
function namesIn(tree: Root): Set<string> {
  const names = new Set<string>();
  const stack: (Root | Element)[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element') {
      names.add(node.tagName);
      if (typeof node.properties.id === 'string') names.add(`#${node.properties.id}`);
      const classes = node.properties.className;
      if (Array.isArray(classes)) for (const name of classes) names.add(`.${String(name)}`);
    }
    for (const child of node.children) if (child.type === 'element') stack.push(child);
  }
  return names;
}

function safeSelectAll(selector: string, tree: Root): Element[] {
  try {
    return selectAll(selector, tree);
  } catch {
    // Checked when the sheet was read (readSelectors); kept as a guard for a tree it trips on.
    return [];
  }
}

/**
 * The selectors of a stylesheet that set fonts but that the font model cannot evaluate, with
 * their line and column: the template's CSS file is named in the warning the build gives, and
 * the faces such a rule could select keep every character of the page.
 */
export function fontSelectorWarnings(css: string): SelectorWarning[] {
  // The same template CSS is read by every run of a process (watch mode, the tests): once.
  return selectorWarnings.of(css, () => keptRead('selector-warnings', css, () => findSelectorWarnings(css))).map((warning) => ({ ...warning }));
}

const selectorWarnings = new Remembered<string, SelectorWarning[]>(64);

function findSelectorWarnings(css: string): SelectorWarning[] {
  const warnings: SelectorWarning[] = [];
  postcss.parse(css).walkRules((rule: Rule) => {
    for (let parent = rule.parent; parent && parent.type !== 'root'; parent = parent.parent) {
      if (parent.type === 'atrule' && ['page', 'font-face', 'keyframes'].includes((parent as AtRule).name)) return;
    }
    let setsFont = false;
    rule.walkDecls((declaration) => {
      if (FONT_PROPERTIES.has(declaration.prop)) setsFont = true;
    });
    if (!setsFont) return;
    for (const selector of readSelectors(rule.selector)) {
      if (selector?.unsupported) warnings.push({ line: rule.source?.start?.line ?? 1, column: rule.source?.start?.column ?? 1, selector: selector.selector, reason: selector.unsupported });
    }
  });
  return warnings;
}

/**
 * Text with each letter in both cases: small caps (font-variant-caps) and text-transform draw
 * letters the text does not contain, and where a font lacks real small capitals Chrome scales its
 * capitals.
 */
function withCases(text: string): string {
  return /[a-z]/i.test(text) ? text + text.toUpperCase() + text.toLowerCase() : text;
}

/** The declarations of a style attribute. */
function parseDeclarations(style: string): Record<string, string> {
  const declarations: Record<string, string> = {};
  try {
    postcss.parse(`x{${style}}`).walkDecls((declaration) => {
      declarations[declaration.prop] = declaration.value;
    });
  } catch {
    // A style attribute the browser would also drop in part: nothing the model can follow.
  }
  return declarations;
}

/** var(--name, fallback) replaced by the custom property's value, to a bounded depth. */
function resolveVariables(value: string, variables: Record<string, string>, depth = 0): string {
  if (depth > 8 || !value.includes('var(')) return value;
  const parsed = valueParser(value);
  parsed.walk((node) => {
    if (node.type !== 'function' || node.value.toLowerCase() !== 'var') return;
    const name = node.nodes.find((child) => child.type === 'word')?.value ?? '';
    const comma = node.nodes.findIndex((child) => child.type === 'div' && child.value === ',');
    const fallback = comma === -1 ? '' : valueParser.stringify(node.nodes.slice(comma + 1)).trim();
    const replacement = resolveVariables(variables[name] ?? fallback, variables, depth + 1);
    // Turned into a word in place: its text is the resolved value.
    (node as unknown as { type: string; value: string }).type = 'word';
    node.value = replacement;
    return false;
  });
  return valueParser.stringify(parsed.nodes);
}

/** The family names of a font-family value, unquoted. */
function parseFamilies(value: string): string[] {
  const families: string[] = [];
  let current: string[] = [];
  for (const node of valueParser(value).nodes) {
    if (node.type === 'div' && node.value === ',') {
      families.push(current.join(' '));
      current = [];
    } else if (node.type === 'string' || node.type === 'word') current.push(node.value);
    else if (node.type === 'function') current.push(valueParser.stringify(node));
  }
  families.push(current.join(' '));
  return families.map((family) => family.trim()).filter(Boolean);
}

/** Keywords the font shorthand may give before the size. */
const FONT_STYLES = new Set(['normal', 'italic', 'oblique']);
const FONT_WEIGHTS = new Set(['bold', 'bolder', 'lighter']);
const FONT_OTHERS = new Set(['small-caps', 'ultra-condensed', 'extra-condensed', 'condensed', 'semi-condensed', 'semi-expanded', 'expanded', 'extra-expanded', 'ultra-expanded']);
const SIZE_KEYWORDS = new Set(['xx-small', 'x-small', 'small', 'medium', 'large', 'x-large', 'xx-large', 'xxx-large', 'smaller', 'larger']);

/**
 * `font: [style] [variant] [weight] [stretch] size[/line-height] family`, read with a value
 * tokenizer: what it says of style, weight and family (system fonts such as `caption` give nothing).
 */
export function parseFontShorthand(value: string): { style: 'normal' | 'italic'; weight: string; family: string } | undefined {
  const all = valueParser(value).nodes;
  const nodes = all.filter((node) => node.type !== 'space' && node.type !== 'comment');
  let style: 'normal' | 'italic' = 'normal';
  let weight = '400';
  let index = 0;
  for (; index < nodes.length; index++) {
    const node = nodes[index]!;
    if (node.type !== 'word') break;
    const word = node.value.toLowerCase();
    if (FONT_STYLES.has(word)) style = word === 'normal' ? style : 'italic';
    else if (FONT_WEIGHTS.has(word) || (/^\d+$/.test(word) && Number(word) >= 1 && Number(word) <= 1000)) weight = word;
    else if (!FONT_OTHERS.has(word)) break;
  }
  const size = nodes[index];
  if (!size || !(size.type === 'function' || (size.type === 'word' && (valueParser.unit(size.value) !== false || SIZE_KEYWORDS.has(size.value.toLowerCase()))))) return undefined;
  index++;
  if (nodes[index]?.type === 'div' && nodes[index]!.value === '/') index += 2;
  const rest = nodes.slice(index);
  if (rest.length === 0) return undefined;
  return { style, weight, family: valueParser.stringify(all.slice(all.indexOf(rest[0]!))).trim() };
}

/** The families @page rules (running heads, page numbers) name in font-family or font. */
function pageRuleFamilies(root: postcss.Root): string[] {
  const families: string[] = [];
  root.walkAtRules('page', (page) => {
    page.walkDecls((declaration) => {
      if (declaration.prop === 'font-family') families.push(...parseFamilies(declaration.value));
      else if (declaration.prop === 'font') families.push(...parseFamilies(parseFontShorthand(declaration.value)?.family ?? ''));
    });
  });
  return families;
}

function parseWeight(value: string, inherited: number): number {
  const text = value.trim();
  if (text === 'bold') return 700;
  if (text === 'normal') return 400;
  if (text === 'bolder') return inherited < 600 ? 700 : 900;
  if (text === 'lighter') return inherited > 500 ? 400 : 100;
  const number = Number(text);
  return Number.isFinite(number) ? number : inherited;
}

/** The face CSS font matching picks for a weight and style among a family's faces. */
export function pickFace(faces: ResolvedFace[], weight: number, style: 'normal' | 'italic'): ResolvedFace | undefined {
  const styled = faces.filter((face) => face.style === style);
  const pool = styled.length > 0 ? styled : faces;
  const exact = pool.find((face) => face.weight === weight);
  if (exact) return exact;
  // CSS Fonts 4, §5.2: at 400–500 try the other of the two, then lighter, then heavier; below 400
  // lighter first; above 500 heavier first.
  const lighter = pool.filter((face) => face.weight < weight).sort((a, b) => b.weight - a.weight);
  const heavier = pool.filter((face) => face.weight > weight).sort((a, b) => a.weight - b.weight);
  if (weight >= 400 && weight <= 500) {
    const between = heavier.find((face) => face.weight <= 500);
    return between ?? lighter[0] ?? heavier[0];
  }
  return weight < 400 ? (lighter[0] ?? heavier[0]) : (heavier[0] ?? lighter[0]);
}

/**
 * The strings CSS `content` declarations draw (margin boxes, markers, labels), one per
 * declaration, unescaped: what pages show that is in no element's text.
 */
export function generatedText(stylesheets: string[]): string[] {
  return stylesheets.flatMap((css) => readSheet(css).generated);
}

function contentStrings(root: postcss.Root): string[] {
  const texts: string[] = [];
  root.walkDecls('content', (declaration) => {
    texts.push(valueParser(declaration.value).nodes.filter((node) => node.type === 'string').map((node) => cssUnescape(node.value)).join(''));
  });
  return texts;
}

function cssUnescape(text: string): string {
  return text.replace(/\\([0-9a-fA-F]{1,6})\s?|\\(.)/g, (_, hex: string | undefined, char: string | undefined) => {
    if (!hex) return char!;
    const code = Number.parseInt(hex, 16);
    // CSS: zero, surrogates and code points past U+10FFFF are the replacement character.
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}
