import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { report } from '../pipeline/messages.ts';
import { formatBytes } from '../pipeline/read.ts';
import { safeDecode } from '../pipeline/plugins/rehype-images.ts';
import type { ImportedDocument, ImportedImage } from './imported-document.ts';

const IMAGE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg']);

/**
 * Reads a saved web page: Readability (Firefox's reader view) keeps the article and drops the
 * masthead, navigation, language links, sidebars and footer; the page's <title> or first heading,
 * its author and date (meta tags) and its language give the front matter. Images saved with the
 * page (beside it, e.g. "page_files/") are copied beside the brief; others stay links.
 */
export async function readWebPage(path: string, file: VFile, maxImageBytes: number, imageName: (index: number, extension: string) => string): Promise<ImportedDocument | undefined> {
  const { document } = parseHTML(String(file.value));
  const meta = (...names: string[]) => {
    for (const name of names) {
      const content = document.querySelector(`meta[name="${name}"], meta[property="${name}"]`)?.getAttribute('content')?.trim();
      if (content) return content;
    }
    return undefined;
  };
  const lang = document.documentElement?.getAttribute('lang')?.trim() || undefined;
  // The page's own heading, when its <title> also names the site ("Title | Site"): cleaner than either.
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  const heading = Array.from(document.querySelectorAll('h1'))
    .map((h1) => h1.textContent?.replace(/\s+/g, ' ').trim() ?? '')
    .find((text) => text && pageTitle.includes(text));
  const published = meta('article:published_time', 'date', 'dc.date', 'DC.date.issued', 'citation_publication_date');
  // Readability drops presentational attributes (align, style): a column's alignment is kept aside.
  for (const cell of Array.from(document.querySelectorAll('td, th'))) {
    const align = cell.getAttribute('align') ?? /text-align:\s*(left|right|center)/i.exec(cell.getAttribute('style') ?? '')?.[1];
    if (align) cell.setAttribute('data-brief-align', align.toLowerCase());
  }
  // Readability changes the document it reads: what is read above is read first.
  const article = new Readability(document as unknown as Document, { keepClasses: false }).parse();
  if (!article?.content) {
    report(file, 'error', 'No article was found in the page: it has too little text in one place. Save the page again with its text (File → Save Page As → Web Page, complete), or copy the text into a Markdown file.', 'import-web-page', { line: 1, column: 1 });
    return undefined;
  }
  const images: ImportedImage[] = [];
  const { document: content } = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`);
  const folder = await realpath(dirname(path));
  for (const image of Array.from(content.querySelectorAll('img'))) {
    const src = image.getAttribute('src') ?? '';
    if (!src || /^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//')) continue;
    const source = resolve(folder, safeDecode(src.split(/[?#]/)[0]!));
    const extension = extname(source).toLowerCase();
    const real = await realpath(source).catch(() => undefined);
    if (!real || !real.startsWith(folder + sep) || !IMAGE_TYPES.has(extension)) {
      report(file, 'warning', `Image "${src}" is not beside the page or not an image; it is left as a link. Save the page complete (with its images), or copy the image beside the brief.`, 'import-image', { line: 1, column: 1 });
      continue;
    }
    const size = (await stat(real)).size;
    if (size > maxImageBytes) {
      report(file, 'error', `Image "${src}" is ${formatBytes(size)}, over ${formatBytes(maxImageBytes)} (limits.max_image_bytes): make it smaller, or raise the limit.`, 'import-image-size', { line: 1, column: 1 });
      return undefined;
    }
    const name = imageName(images.length + 1, extension === '.jpeg' ? 'jpg' : extension.slice(1));
    images.push({ name, bytes: await readFile(real) });
    image.setAttribute('src', name);
  }
  return {
    html: content.body.innerHTML,
    images,
    properties: {
      title: heading || article.title?.trim() || undefined,
      author: article.byline?.trim() || meta('author', 'citation_author') || undefined,
      date: /^\d{4}-\d{2}(-\d{2})?/.exec(published ?? article.publishedTime ?? '')?.[0],
      lang: article.lang?.trim() || lang,
    },
  };
}
