import type { Element, Root, RootContent } from 'hast';
import { selectAll } from 'hast-util-select';
import postcss, { type AtRule, type Rule } from 'postcss';
import type { ResolvedFace } from './fonts.ts';

/** A style rule that sets something font-related, flattened out of @media blocks. */
interface FontRule {
  selector: string;
  /** What an element must have for the rule to match it: ".class", "#id", "tag" (from the rightmost compound). */
  key: string[];
  specificity: number;
  order: number;
  declarations: Record<string, string>;
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
  const rules = parseRules([USER_AGENT, ...stylesheets]);
  const present = namesIn(tree);
  // The cascade, selector by selector (in order of specificity, then source): each element's
  // declared font properties. selectAll sees ancestors, so descendant selectors work. A rule
  // whose rightmost part names a class, element or id absent from the page is skipped unasked.
  const declaredBy = new Map<Element, Record<string, string>>();
  for (const rule of rules) {
    if (!rule.key.every((name) => present.has(name))) continue;
    for (const element of safeSelectAll(rule.selector, tree)) {
      const declared = declaredBy.get(element) ?? {};
      Object.assign(declared, rule.declarations);
      declaredBy.set(element, declared);
    }
  }
  const usage = new Map<ResolvedFace, Set<string>>(faces.map((face) => [face, new Set<string>()]));
  const families = new Set(faces.map((face) => face.family));

  // Which face draws Latin and which draws CJK text, for each distinct computed font.
  const facesFor = new Map<string, { latin: ResolvedFace | undefined; cjk: ResolvedFace | undefined; stack: string[]; fallbacks: Map<string, ResolvedFace | undefined> }>();
  const choose = (style: ComputedFont) => {
    const family = resolveVariables(style.family, style.variables);
    const key = `${family}|${style.weight}|${style.style}`;
    let chosen = facesFor.get(key);
    if (!chosen) {
      const stack = parseFamilies(family).filter((name) => families.has(name));
      // The first family that has the character draws it: Latin faces have no CJK, CJK faces are given only CJK.
      const pick = (cjk: boolean) => {
        const name = stack.find((candidate) => faces.some((face) => face.family === candidate && (face.script === 'cjk') === cjk)) ?? stack[0];
        return name ? pickFace(faces.filter((face) => face.family === name), style.weight, style.style) : undefined;
      };
      chosen = { latin: pick(false), cjk: pick(true), stack, fallbacks: new Map() };
      facesFor.set(key, chosen);
    }
    return chosen;
  };
  const draw = (text: string, style: ComputedFont) => {
    const chosen = choose(style);
    for (const char of withCases(text)) {
      // Line breaks and tabs are not drawn; spaces are (the font gives their width).
      if (char === '\n' || char === '\r' || char === '\t' || char === '\f') continue;
      let face = CJK.test(char) ? chosen.cjk : chosen.latin;
      // A character the face lacks (an arrow, a symbol) is drawn, as Chrome does, by the next
      // family of the stack that has it: that face's subset must hold it.
      if (face && covers && !covers(face, char)) {
        if (!chosen.fallbacks.has(char)) {
          const fallback = chosen.stack
            .map((name) => pickFace(faces.filter((candidate) => candidate.family === name), style.weight, style.style))
            .find((candidate) => candidate !== undefined && covers(candidate, char));
          chosen.fallbacks.set(char, fallback);
        }
        face = chosen.fallbacks.get(char) ?? face;
      }
      if (face) usage.get(face)!.add(char);
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

  // Generated text (content: "…" in any rule, margin boxes) is not placed by the model: give it to
  // every face that draws something already, and to every face of a family the @page rules name.
  const pageFamilies = new Set(
    [...stylesheets.join('\n').matchAll(/@page[\s\S]*?font-family:\s*([^;}]+)/g)].flatMap((match) => parseFamilies(match[1]!)),
  );
  const receivers = faces.filter((face) => usage.get(face)!.size > 0 || pageFamilies.has(face.family));
  for (const text of generatedText(stylesheets)) {
    for (const char of withCases(text)) {
      if (/[\n\r\t\f]/.test(char)) continue;
      const takers = receivers.filter((face) => (face.script === 'cjk') === CJK.test(char));
      for (const face of takers) usage.get(face)!.add(char);
      // No face that would draw it has the glyph: every face that has it gets it, as fallbacks.
      if (covers && !takers.some((face) => covers(face, char))) for (const face of faces) if (covers(face, char)) usage.get(face)!.add(char);
    }
  }
  return usage;
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
    // font: [style] [weight] size[/line-height] family
    const shorthand = /^(?:(italic|oblique|normal)\s+)?(?:(bold|bolder|lighter|normal|\d{3})\s+)?[\d.]+\w*(?:\/[\d.]+\w*)?\s+(.+)$/.exec(declared.font.trim());
    if (shorthand) {
      style = shorthand[1] === 'italic' || shorthand[1] === 'oblique' ? 'italic' : 'normal';
      weight = shorthand[2] ? parseWeight(shorthand[2], parent.weight) : 400;
      family = shorthand[3]!;
    }
  }
  if (declared['font-family']) family = declared['font-family'];
  if (declared['font-weight']) weight = parseWeight(resolveVariables(declared['font-weight'], variables), parent.weight);
  if (declared['font-style']) style = /italic|oblique/.test(declared['font-style']) ? 'italic' : 'normal';
  return { family, weight, style, variables };
}

const parsedSheets = new Map<string, Omit<FontRule, 'order'>[]>();

/**
 * The font rules of some stylesheets, sorted by specificity, then order. Each sheet is parsed
 * once and remembered: the template's CSS is the same for every brief; only the small sheet of
 * page rules (running heads) is new each time.
 */
function parseRules(stylesheets: string[]): FontRule[] {
  const rules: FontRule[] = [];
  let order = 0;
  for (const css of stylesheets) {
    let sheet = parsedSheets.get(css);
    if (!sheet) {
      sheet = parseSheet(css);
      if (parsedSheets.size > 64) parsedSheets.delete(parsedSheets.keys().next().value!);
      parsedSheets.set(css, sheet);
    }
    for (const rule of sheet) rules.push({ ...rule, order: order++ });
  }
  return rules.sort((a, b) => a.specificity - b.specificity || a.order - b.order);
}

function parseSheet(css: string): Omit<FontRule, 'order'>[] {
  const rules: Omit<FontRule, 'order'>[] = [];
  postcss.parse(css).walkRules((rule: Rule) => {
    // @page margin boxes and @font-face are not element styles.
    for (let parent = rule.parent; parent && parent.type !== 'root'; parent = parent.parent) {
      if (parent.type === 'atrule' && ['page', 'font-face', 'keyframes'].includes((parent as AtRule).name)) return;
    }
    const declarations: Record<string, string> = {};
    rule.walkDecls((declaration) => {
      if (FONT_PROPERTIES.has(declaration.prop) || declaration.prop.startsWith('--')) declarations[declaration.prop] = declaration.value;
    });
    if (Object.keys(declarations).length === 0) return;
    for (const selector of rule.selectors) {
      // Pseudo-elements draw generated text, counted apart; what a pseudo-class like :hover
      // changes is not the printed page.
      if (/::|:(hover|focus|active|visited|focus-visible|focus-within|target)\b|:(before|after|marker)\b/.test(selector)) continue;
      rules.push({ selector, key: keyOf(selector), specificity: specificity(selector), declarations });
    }
  });
  return rules;
}

/** The classes, id and element name of a selector's rightmost compound (outside brackets and parentheses). */
function keyOf(selector: string): string[] {
  let depth = 0;
  let start = 0;
  for (let index = 0; index < selector.length; index++) {
    const char = selector[index]!;
    if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth--;
    else if (depth === 0 && /[\s>+~]/.test(char)) start = index + 1;
  }
  const compound = selector.slice(start).replace(/\([^)]*\)|\[[^\]]*\]/g, '');
  const key = [...compound.matchAll(/\.([\w-]+)/g)].map((match) => `.${match[1]}`);
  key.push(...[...compound.matchAll(/#([\w-]+)/g)].map((match) => `#${match[1]}`));
  const tag = /^[a-z][\w-]*/i.exec(compound)?.[0];
  if (tag) key.push(tag.toLowerCase());
  return key;
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
    // A selector hast-util-select cannot evaluate matches nothing here.
    return [];
  }
}

/**
 * Text with each letter in both cases: small caps (font-variant-caps) and text-transform draw
 * letters the text does not contain, and where a font lacks real small capitals Chrome scales its
 * capitals.
 */
function withCases(text: string): string {
  return /[a-z]/i.test(text) ? text + text.toUpperCase() + text.toLowerCase() : text;
}

/** Specificity as one number: ids × 10⁴ + classes, attributes and pseudo-classes × 10² + types. */
function specificity(selector: string): number {
  const ids = (selector.match(/#[\w-]+/g) ?? []).length;
  const classes = (selector.match(/\.[\w-]+|\[[^\]]+\]|:(?!not|is|where|has)[\w-]+(\([^)]*\))?/g) ?? []).length;
  const types = (selector.replace(/\[[^\]]*\]|\([^)]*\)/g, '').match(/(^|[\s>+~(])[a-z][\w-]*/gi) ?? []).length;
  return ids * 10_000 + classes * 100 + types;
}

function parseDeclarations(style: string): Record<string, string> {
  const declarations: Record<string, string> = {};
  for (const part of style.split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) declarations[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return declarations;
}

function resolveVariables(value: string, variables: Record<string, string>, depth = 0): string {
  if (depth > 8) return value;
  return value.replace(/var\(\s*(--[\w-]+)\s*(?:,\s*([^)]*))?\)/g, (_, name: string, fallback: string | undefined) => resolveVariables(variables[name] ?? fallback ?? '', variables, depth + 1));
}

function parseFamilies(value: string): string[] {
  return value.split(',').map((family) => family.trim().replace(/^["']|["']$/g, ''));
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
  const texts: string[] = [];
  for (const sheet of stylesheets) {
    for (const declaration of sheet.matchAll(/content:\s*([^;}]+)/g)) {
      texts.push([...declaration[1]!.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map((part) => cssUnescape(part[1] ?? part[2] ?? '')).join(''));
    }
  }
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
