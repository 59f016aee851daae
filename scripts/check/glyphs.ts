import type { Element, Root, RootContent } from 'hast';
import type { FontCoverage } from '../pipeline/font-coverage.ts';
import { generatedText } from '../pipeline/font-usage.ts';

/**
 * Characters that are not drawn with a glyph and need none: controls, soft hyphens, zero-width
 * joiners and spaces, variation selectors, bidirectional marks.
 */
const UNDRAWN = /[\u0000-\u0020\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]|[\u{e0000}-\u{e0fff}]/u;

/**
 * Every character the page draws: the text of the body (not of <head>, <style> or <script>),
 * images' alternative texts (drawn when an image is missing), and the strings of CSS `content`
 * (running heads, markers), in the order they appear.
 */
export function charactersDrawn(tree: Root, stylesheets: string[]): Set<string> {
  const characters = new Set<string>();
  const add = (text: string) => {
    for (const char of text) if (!UNDRAWN.test(char)) characters.add(char);
  };
  const walk = (node: Root | Element) => {
    for (const child of node.children as RootContent[]) {
      if (child.type === 'text') add(child.value);
      else if (child.type === 'element' && !['head', 'style', 'script', 'template'].includes(child.tagName)) {
        if (typeof child.properties.alt === 'string') add(child.properties.alt);
        walk(child);
      }
    }
  };
  walk(tree);
  for (const text of generatedText(stylesheets)) add(text);
  return characters;
}

/** Characters none of these fonts has a glyph for, in the order given. */
export function missingGlyphs(characters: Iterable<string>, fonts: FontCoverage[]): string[] {
  return [...characters].filter((char) => !fonts.some((font) => font.has(char.codePointAt(0)!)));
}
