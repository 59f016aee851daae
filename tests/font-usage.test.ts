import { fromHtml } from 'hast-util-from-html';
import { describe, expect, it } from 'vitest';
import type { ResolvedFace } from '../scripts/pipeline/fonts.ts';
import { charactersByFace, fontSelectorWarnings, generatedText, parseFontShorthand } from '../scripts/pipeline/font-usage.ts';

/** Faces of two families, no files: charactersByFace only reads their names, weights and styles. */
const face = (family: string, weight: number, style: 'normal' | 'italic' = 'normal'): ResolvedFace => ({ family, weight, style, script: 'latin', onlyFor: undefined, path: `/${family}-${weight}-${style}.ttf` });
const SERIF = face('Serif', 400);
const SERIF_BOLD = face('Serif', 700);
const SANS = face('Sans', 400);
const SANS_SEMIBOLD_ITALIC = face('Sans', 600, 'italic');
const FACES = [SERIF, SERIF_BOLD, SANS, SANS_SEMIBOLD_ITALIC];

/** The letters each face draws in a page (lower case only, spaces left out), as "family weight style: letters". */
function drawn(html: string, css: string): Record<string, string> {
  const usage = charactersByFace(fromHtml(html), [css], FACES);
  return Object.fromEntries(
    [...usage].map(([used, chars]) => [`${used.family} ${used.weight} ${used.style}`, [...chars].filter((char) => /[a-z]/.test(char)).sort().join('')]),
  );
}

describe('which face draws which characters (the CSS cascade, read with postcss)', () => {
  it('reads every part of the font shorthand, small-caps and line height included', () => {
    expect(parseFontShorthand('italic small-caps 600 1rem/1.3 "Sans", serif')).toEqual({ style: 'italic', weight: '600', family: '"Sans", serif' });
    expect(parseFontShorthand('bold 12pt Serif')).toEqual({ style: 'normal', weight: 'bold', family: 'Serif' });
    expect(parseFontShorthand('caption')).toBeUndefined();
    const result = drawn('<body><p>aaa</p><p class="x">bbb</p></body>', 'body { font-family: Serif } .x { font: italic small-caps 600 1rem/1.3 "Sans", serif }');
    expect(result['Sans 600 italic']).toBe('b');
    expect(result['Serif 400 normal']).toBe('a');
  });

  it('gives :where() no specificity, so a later plain rule wins', () => {
    const result = drawn('<body><main id="m"><p>abc</p></main></body>', 'body { font-family: Serif } :where(#m) p { font-weight: 700 } p { font-weight: 400 }');
    expect(result['Serif 400 normal']).toBe('abc');
    expect(result['Serif 700 normal']).toBe('');
  });

  it('matches :where() as :is(), which the selector engine knows', () => {
    const result = drawn('<body><aside class="box"><p>xyz</p></aside><p>abc</p></body>', 'body { font-family: Serif } :where(.box) p { font-family: Sans }');
    expect(result['Sans 400 normal']).toBe('xyz');
    expect(result['Serif 400 normal']).toBe('abc');
  });

  it('counts the most specific argument of :is() and :not()', () => {
    const result = drawn('<body><p class="a" id="i">abc</p></body>', 'body { font-family: Serif } :is(#i, .z) { font-weight: 700 } p.a.a { font-weight: 400 }');
    expect(result['Serif 700 normal']).toBe('abc');
  });

  it('keeps a semicolon or brace inside a quoted content string', () => {
    expect(generatedText(['.a::before { content: "x;y" } .b::after { content: "}" "\\2014" }'])).toEqual(['x;y', '}\u2014']);
  });

  it('reads a style attribute whose value has a semicolon in quotes', () => {
    const result = drawn('<body><p style="font-family: \'Sans;\', Sans; font-weight: 700">abc</p></body>', 'body { font-family: Serif }');
    expect(result['Sans 400 normal']).toBe('abc');
  });
});

describe('a selector the model cannot evaluate', () => {
  const css = 'body { font-family: Serif }\n\np:nth-child(2 of .lead) {\n  font-family: Sans;\n}\n.drop::first-letter { font-weight: 700 }\n';

  it('is named with its line and column, and a reason', () => {
    expect(fontSelectorWarnings(css).map((warning) => `${warning.line}:${warning.column} ${warning.selector}`)).toEqual(['3:1 p:nth-child(2 of .lead)', '6:1 .drop::first-letter']);
  });

  it('leaves the faces it may select every character of the page, never too few', () => {
    const result = drawn('<body><p class="lead">abc</p><p class="lead drop">xyz</p></body>', css);
    // Sans may draw any paragraph; the bold Serif face, any first letter.
    expect(result['Sans 400 normal']).toBe('abcxyz');
    expect(result['Serif 700 normal']).toBe('abcxyz');
    expect(result['Serif 400 normal']).toBe('abcxyz');
  });
});
