import mammoth from 'mammoth';
import type { VFile } from 'vfile';
import { report } from '../pipeline/messages.ts';
import type { ImportedDocument, ImportedImage } from './imported-document.ts';
import { openDocx, type DocxLimits } from './open-docx.ts';

/**
 * Word's styles, mapped to what the Markdown needs: captions (Word's own "Caption", and the ones
 * Pandoc writes) and the title, author and date paragraphs Pandoc puts first.
 */
const STYLE_MAP = [
  "p[style-name='Caption'] => p.caption:fresh",
  "p[style-name='Image Caption'] => p.caption:fresh",
  "p[style-name='Table Caption'] => p.caption:fresh",
  "p[style-name='Title'] => p.doc-title:fresh",
  "p[style-name='Subtitle'] => p.doc-subtitle:fresh",
  "p[style-name='Author'] => p.doc-author:fresh",
  "p[style-name='Date'] => p.doc-date:fresh",
];
const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg' };

/**
 * Reads a Word document (.docx) as HTML with mammoth: headings, paragraphs, lists, tables (with
 * their columns' alignment, read from the cells' paragraphs), footnotes, links, emphasis, images
 * (extracted, with their alternative text) and captions. Its properties (title, author, created)
 * give the front matter. What cannot be carried over is said, each at its paragraph (the
 * paragraph's number is the message's line): comments, tracked changes, text boxes, equations.
 */
export async function readDocx(bytes: Buffer, file: VFile, limits: DocxLimits, imageName: (index: number, extension: string) => string): Promise<ImportedDocument | undefined> {
  const docx = await openDocx(bytes, file, limits);
  if (!docx) return undefined;
  const images: ImportedImage[] = [];
  const result = await mammoth.convertToHtml(
    { buffer: docx.bytes },
    {
      styleMap: STYLE_MAP,
      externalFileAccess: false,
      convertImage: mammoth.images.imgElement(async (image) => {
        const extension = EXTENSIONS[image.contentType];
        const data = await image.readAsBuffer();
        if (!extension) {
          report(file, 'warning', `An image of type ${image.contentType} is left out: briefs show PNG, JPEG, GIF, WebP and SVG. Save it as PNG in Word and import again.`, 'import-image', { line: 1, column: 1 });
          return { src: '' };
        }
        const name = imageName(images.length + 1, extension);
        images.push({ name, bytes: data });
        return { src: name };
      }),
    },
  );
  const document = docx.xml('word/document.xml');
  if (!document) {
    report(file, 'error', 'The file has no word/document.xml: it is not a Word document. Save it from Word as "Word Document (.docx)".', 'import-docx', { line: 1, column: 1 });
    return undefined;
  }
  reportLosses(document, docx.xml('word/comments.xml'), file);
  const core = docx.xml('docProps/core.xml');
  const property = (name: string) => core?.getElementsByTagName(name)[0]?.textContent?.trim() || undefined;
  return {
    html: result.value,
    images,
    properties: { title: property('dc:title'), author: property('dc:creator'), date: property('dcterms:created')?.slice(0, 10) },
    tableAlign: tableAlignments(document),
  };
}

/** Comments, tracked changes, text boxes and equations: each reported at its paragraph. */
function reportLosses(document: Document, comments: Document | undefined, file: VFile): void {
  const paragraphs = Array.from(document.getElementsByTagName('w:p')).filter((paragraph) => !inside(paragraph, 'w:txbxContent'));
  const numbers = new Map(paragraphs.map((paragraph, index) => [paragraph, index + 1]));
  const at = (element: Element) => {
    let paragraph: Element | undefined;
    for (let node: Element | null = element; node; node = node.parentElement) if (numbers.has(node)) paragraph = node;
    return { line: (paragraph && numbers.get(paragraph)) ?? 1, column: 1 };
  };
  const where = (element: Element) => {
    const place = at(element);
    const text = excerpt(paragraphs[place.line - 1]);
    return `paragraph ${place.line}${text ? ` ("${text}")` : ''}`;
  };
  for (const reference of Array.from(document.getElementsByTagName('w:commentReference'))) {
    const id = reference.getAttribute('w:id');
    const comment = Array.from(comments?.getElementsByTagName('w:comment') ?? []).find((candidate) => candidate.getAttribute('w:id') === id);
    const author = comment?.getAttribute('w:author');
    report(file, 'warning', `A comment${author ? ` by ${author}` : ''} in ${where(reference)} is not carried over${comment ? `: "${excerpt(comment)}"` : ''}. Briefs have no comments; resolve it in Word, or write it into the text.`, 'import-comment', at(reference));
  }
  for (const [tag, what] of [['w:ins', 'An insertion'], ['w:del', 'A deletion']] as const) {
    for (const change of Array.from(document.getElementsByTagName(tag))) {
      const author = change.getAttribute('w:author');
      const text = tag === 'w:ins' ? excerpt(change) : Array.from(change.getElementsByTagName('w:delText')).map((node) => node.textContent).join('').slice(0, 40);
      report(file, 'warning', `${what}${author ? ` by ${author}` : ''} tracked in ${where(change)} ("${text}") is ${tag === 'w:ins' ? 'kept' : 'left out'}, as if accepted. Accept or reject the changes in Word (Review → Accept/Reject) and import again to decide.`, 'import-tracked-change', at(change));
    }
  }
  for (const box of Array.from(document.getElementsByTagName('w:txbxContent'))) {
    // Word writes each text box twice: as a drawing, and as an older fallback; the fallback is not counted.
    if (inside(box, 'mc:Fallback')) continue;
    report(file, 'warning', `A text box in ${where(box)} ("${excerpt(box)}") is not kept as a box: its text follows that paragraph. Move it where it belongs, or make it a :::sidebar block.`, 'import-text-box', at(box));
  }
  for (const equation of Array.from(document.getElementsByTagName('m:oMath'))) {
    if (inside(equation, 'm:oMathPara') && equation.parentElement?.tagName !== 'm:oMathPara') continue;
    report(file, 'warning', `An equation in ${where(equation)} ("${excerpt(equation, 'm:t')}") is left out: briefs have no equations. Write it as text, or insert it as a picture.`, 'import-equation', at(equation));
  }
}

/** Whether an element lies inside an element named `tag`. */
function inside(element: Element, tag: string): boolean {
  for (let node = element.parentElement; node; node = node.parentElement) if (node.tagName === tag) return true;
  return false;
}

/** The first words of an element's text (its w:t runs), for messages. */
function excerpt(element: Element | undefined, textTag = 'w:t'): string {
  if (!element) return '';
  const text = Array.from(element.getElementsByTagName(textTag)).map((node) => node.textContent ?? '').join('').replace(/\s+/g, ' ').trim();
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Each table's column alignment, in document order, from its cells' paragraph alignment (w:jc). */
function tableAlignments(document: Document): ('left' | 'right' | 'center' | null)[][] {
  return Array.from(document.getElementsByTagName('w:tbl')).map((table) => {
    const rows = Array.from(table.getElementsByTagName('w:tr'));
    // A body row says how the column's figures are set; the header row may be centred for looks.
    const row = rows[1] ?? rows[0];
    return Array.from(row?.getElementsByTagName('w:tc') ?? []).map((cell) => {
      const value = cell.getElementsByTagName('w:jc')[0]?.getAttribute('w:val');
      return value === 'right' || value === 'end' ? 'right' : value === 'center' ? 'center' : value === 'left' || value === 'start' ? 'left' : null;
    });
  });
}
