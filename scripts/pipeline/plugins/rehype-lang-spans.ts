import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';

/** Japanese script: kana, CJK ideographs and punctuation, full-width forms. */
const JAPANESE = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uff61-\uff9f]+(?:[\s\u3000]*[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uff61-\uff9f]+)*/g;

const HAS_JAPANESE = new RegExp(JAPANESE.source);

/** Elements whose text is not prose (or already carries a language). */
const SKIP = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style', 'svg']);

/**
 * Marks Japanese words inside a brief in another language with `<span lang="ja">`, so that
 * screen readers switch voice, the PDF's tags carry the language, and the Japanese face and line
 * breaking apply. Text inside an element that sets `lang` itself is left alone.
 */
export default function rehypeLangSpans() {
  return (tree: Root, file: VFile) => {
    const lang = (file.data.matter?.lang ?? 'en').toLowerCase();
    if (lang.startsWith('ja') || lang.startsWith('zh')) return;
    walk(tree);
  };
}

function walk(parent: Root | Element): void {
  const children: ElementContent[] = [];
  for (const child of parent.children as ElementContent[]) {
    if (child.type === 'element') {
      if (!SKIP.has(child.tagName) && child.properties.lang === undefined) walk(child);
      children.push(child);
    } else if (child.type === 'text' && HAS_JAPANESE.test(child.value)) {
      children.push(...split(child.value));
    } else {
      children.push(child);
    }
  }
  parent.children = children as typeof parent.children;
}

function split(text: string): ElementContent[] {
  const parts: ElementContent[] = [];
  let last = 0;
  for (const match of text.matchAll(JAPANESE)) {
    if (match.index > last) parts.push({ type: 'text', value: text.slice(last, match.index) });
    parts.push({ type: 'element', tagName: 'span', properties: { lang: 'ja' }, children: [{ type: 'text', value: match[0] }] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ type: 'text', value: text.slice(last) });
  return parts;
}
