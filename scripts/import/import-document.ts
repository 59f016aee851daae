import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { VFile } from 'vfile';
import { stringify } from 'yaml';
import { report } from '../pipeline/messages.ts';
import { writeFileAtomic } from '../pipeline/write.ts';
import { htmlToMarkdown } from './html-to-markdown.ts';
import type { ImportedDocument } from './imported-document.ts';
import { readDocx } from './read-docx.ts';
import { readWebPage } from './read-web-page.ts';

export interface ImportOptions {
  /** Folder the brief and its images are written to. */
  outDir: string;
  /** The project folder: paths in messages are relative to it. */
  root: string;
  /** Replace a brief of the same name. */
  force: boolean;
  /** Largest input file, in bytes (limits.max_bytes for HTML; a .docx may be ten times that). */
  maxBytes: number;
  /** Largest image (limits.max_image_bytes). */
  maxImageBytes: number;
}

/** What importing one document gave: its messages, and the files written (none after an error). */
export interface ImportOutcome {
  file: VFile;
  written: string[];
}

/**
 * Imports one Word document (.docx) or saved web page (.html) as a brief: reads it (read-docx.ts,
 * read-web-page.ts), writes its Markdown (html-to-markdown.ts) with front matter made from the
 * document's properties, and its images beside it. Problems are messages on the source's VFile
 * (for a .docx, the line is the paragraph's number); nothing is written after an error.
 */
export async function importDocument(path: string, options: ImportOptions): Promise<ImportOutcome> {
  const file = new VFile({ path, cwd: options.root });
  const outcome: ImportOutcome = { file, written: [] };
  const kind = extname(path).toLowerCase();
  if (kind !== '.docx' && kind !== '.html' && kind !== '.htm') {
    report(file, 'error', `brief imports Word documents (.docx) and saved web pages (.html), not "${kind || basename(path)}". For a .doc, .odt or .rtf, save it as .docx first.`, 'import-type', { line: 1, column: 1 });
    return outcome;
  }
  const size = (await stat(path).catch(() => undefined))?.size;
  const maxBytes = kind === '.docx' ? options.maxBytes * 10 : options.maxBytes;
  if (size === undefined) {
    report(file, 'error', `Cannot read "${relative(options.root, path)}": there is no such file.`, 'import-read', { line: 1, column: 1 });
    return outcome;
  }
  if (size > maxBytes) {
    report(file, 'error', `The file is ${Math.round(size / 1024)} KB, over the ${Math.round(maxBytes / 1024)} KB brief imports (limits.max_bytes).`, 'limit-input-size', { line: 1, column: 1 });
    return outcome;
  }
  const slug = basename(path, extname(path)).normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'imported';
  const imageName = (index: number, extension: string) => `${slug}-${index}.${extension}`;
  const bytes = await readFile(path);
  let document: ImportedDocument | undefined;
  if (kind === '.docx') {
    document = await readDocx(bytes, file, { maxUnpackedBytes: maxBytes * 20, maxImageBytes: options.maxImageBytes }, imageName);
  } else {
    file.value = bytes.toString('utf8');
    document = await readWebPage(path, file, options.maxImageBytes, imageName);
  }
  if (!document || file.messages.some((message) => message.fatal === true)) return outcome;

  const body = await htmlToMarkdown(document);
  const properties = document.properties;
  const title = body.titleBlock.title ?? properties.title ?? body.firstHeading ?? basename(path, extname(path));
  const date = [body.titleBlock.date, properties.date].find((value) => value && /^\d{4}-\d{2}(-\d{2})?$/.test(value));
  const author = body.titleBlock.author ?? properties.author;
  const matter: Record<string, string> = { title };
  if (body.titleBlock.subtitle) matter.subtitle = body.titleBlock.subtitle;
  if (author) matter.author = author;
  if (date) matter.date = date;
  const lang = properties.lang?.toLowerCase().startsWith('ja') || mostlyJapanese(body.markdown) ? 'ja' : undefined;
  if (lang) matter.lang = lang;
  const brief = `---\n${stringify(matter, { lineWidth: 0 })}---\n\n${body.markdown}`;

  const target = join(options.outDir, `${slug}.md`);
  if (!options.force && (await stat(target).catch(() => undefined))) {
    report(file, 'error', `${relative(options.root, target)} exists already; move it, or import again with --force to replace it.`, 'import-exists', { line: 1, column: 1 });
    return outcome;
  }
  await mkdir(options.outDir, { recursive: true });
  for (const image of document.images) {
    const imagePath = join(options.outDir, image.name);
    await writeFileAtomic(imagePath, image.bytes);
    outcome.written.push(imagePath);
  }
  await writeFileAtomic(target, brief);
  outcome.written.unshift(target);
  return outcome;
}

/** More than a fifth of the letters are kana or kanji: a Japanese text. */
function mostlyJapanese(text: string): boolean {
  const letters = text.match(/[\p{L}]/gu)?.length ?? 0;
  const japanese = text.match(/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/gu)?.length ?? 0;
  return letters > 0 && japanese / letters > 0.2;
}
