import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodePDFRawStream, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFString, type PDFObject } from 'pdf-lib';
import { markArtifacts } from './pdf-content.ts';
import { Remembered } from './remembered.ts';

/** Document information written into the PDF, all from the brief's front matter. */
export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  lang: string;
  /** Creation and modification date: the brief's date (or SOURCE_DATE_EPOCH), never the clock, so builds are reproducible; none when neither is given. */
  date: Date | undefined;
  creator: string;
}

/** One bookmark of the PDF's outline, flattened in reading order. */
export interface OutlineEntry {
  title: string;
  depth: number;
  /** 1-based page the bookmark opens. */
  page: number;
}

/**
 * Completes a PDF Chrome printed: document information (Title shown in the window title bar,
 * Author, Subject, Keywords, dates from the brief), the document language, an XMP metadata stream
 * carrying the same, links to sibling files made relative again, soft hyphens out of the text and
 * unmarked marks made artifacts (see finishContent). Every other object (tags, outline, fonts,
 * links) is kept as Chrome wrote it.
 */
export async function finishPdf(doc: PDFDocument, info: PdfInfo, rewriteLink: (url: string) => string | undefined): Promise<Uint8Array> {
  doc.setTitle(info.title, { showInWindowTitleBar: true });
  doc.setAuthor(info.author);
  doc.setSubject(info.subject);
  // pdf-lib joins keywords with spaces; "Japan, United States" must stay two keywords.
  doc.setKeywords([info.keywords.join(', ')]);
  doc.setCreator(info.creator);
  doc.setProducer(`${info.creator} (Chromium, pdf-lib)`);
  if (info.date) {
    doc.setCreationDate(info.date);
    doc.setModificationDate(info.date);
  } else {
    // Chrome stamped the clock's time: drop it rather than make every build differ.
    const infoDict = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
    infoDict?.delete(PDFName.of('CreationDate'));
    infoDict?.delete(PDFName.of('ModDate'));
  }
  doc.setLanguage(info.lang);
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(doc.context.stream(new TextEncoder().encode(xmp(info)), { Type: 'Metadata', Subtype: 'XML' })));

  for (const page of doc.getPages()) {
    finishContent(doc, page.node);
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    for (const annot of annots?.asArray() ?? []) {
      const action = doc.context.lookupMaybe(annot, PDFDict)?.lookupMaybe(PDFName.of('A'), PDFDict);
      const uri = action?.get(PDFName.of('URI'));
      const text = uri instanceof PDFString || uri instanceof PDFHexString ? uri.decodeText() : undefined;
      const replacement = text === undefined ? undefined : rewriteLink(text);
      if (action && replacement !== undefined) action.set(PDFName.of('URI'), PDFString.of(replacement));
    }
  }
  // No object streams: older readers and `qpdf --check` read a plain cross-reference table best.
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
}

/** The text Chrome (Skia) gives glyphs in a page's content: `/ActualText <FEFF…>` (UTF-16BE hex). */
const ACTUAL_TEXT = /\/ActualText <FEFF((?:[0-9A-Fa-f]{4})*)>/g;

/**
 * Two repairs to each page's content. Chrome writes each soft hyphen into the page as a glyph
 * whose text is U+00AD (alone, or inside a ligature's text such as "f\u00adi"), so a word the
 * hyphenator split reads "leg\u00adis\u00adla\u00adture" to search, copy, screen readers and
 * pdftotext: dropping U+00AD from those texts (the glyphs stay, so nothing moves) gives back the
 * words. And Chrome leaves the running header and footer, backgrounds and CSS-generated marks
 * outside both tagged content and artifacts: they are marked as artifacts (see pdf-content.ts),
 * so screen readers skip them and the PDF has no untagged content.
 */
function finishContent(doc: PDFDocument, page: PDFDict): void {
  const contents = page.get(PDFName.of('Contents'));
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  for (const ref of refs) {
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream) || !(ref instanceof PDFRef)) continue;
    const finished = finishedContent(stream);
    if (finished) doc.context.assign(ref, PDFRawStream.of(doc.context.obj({ Filter: 'FlateDecode' }), finished));
  }
}

/**
 * Pages already finished, by their content as Chrome wrote it: Chrome writes a page that did not
 * change byte for byte as before (watch mode: an edit changes the pages from the edit on; a
 * reprint for the contents' page numbers changes none of the body's). Bounded, for batches.
 */
const finishedPages = new Remembered<string, Buffer | null>(256);

/** One content stream finished: its new (deflated) bytes, or null when it needs no change. */
function finishedContent(stream: PDFRawStream): Buffer | null {
  const key = createHash('sha256').update(stream.dict.toString()).update('\0').update(stream.contents).digest('base64');
  return finishedPages.of(key, () => finishStream(stream));
}

function finishStream(stream: PDFRawStream): Buffer | null {
  const text = decodeContent(stream).toString('latin1');
  let changed = false;
  const cleaned = text.replace(ACTUAL_TEXT, (whole, hex: string) => {
    const units = hex.match(/.{4}/g) ?? [];
    const kept = units.filter((unit) => unit.toUpperCase() !== '00AD');
    if (kept.length === units.length) return whole;
    changed = true;
    return kept.length === 0 ? '/ActualText ()' : `/ActualText <FEFF${kept.join('')}>`;
  });
  const artifacts = markArtifacts(cleaned);
  if (artifacts.marked > 0) changed = true;
  // Deflated with Node's zlib: pdf-lib's own (pako, in JavaScript) took most of this step's time.
  return changed ? deflateSync(Buffer.from(artifacts.text, 'latin1')) : null;
}

/** A content stream's bytes: Flate-compressed ones through Node's zlib (pdf-lib's JavaScript inflate is slower). */
export function decodeContent(stream: PDFRawStream): Buffer {
  const filter = stream.dict.get(PDFName.of('Filter'));
  if (filter instanceof PDFName && filter.asString() === '/FlateDecode' && !stream.dict.has(PDFName.of('DecodeParms'))) return inflateSync(stream.contents);
  return Buffer.from(decodePDFRawStream(stream).decode());
}

/** Parses a PDF Chrome printed, once: its page count, outline and finishing all use the result. */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocument> {
  // All at once: pdf-lib's default stops every 100 objects for a timer tick (a millisecond or more each).
  return PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
}

/** The PDF's outline (bookmarks) in reading order, each with the page it opens. */
export function readOutline(doc: PDFDocument): OutlineEntry[] {
  const pageNumbers = new Map<string, number>();
  doc.getPages().forEach((page, index) => pageNumbers.set(page.ref.toString(), index + 1));
  const entries: OutlineEntry[] = [];
  const outlines = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const walk = (first: PDFObject | undefined, depth: number) => {
    let item = first ? doc.context.lookupMaybe(first, PDFDict) : undefined;
    let guard = 0;
    while (item && guard++ < 100_000) {
      const title = item.get(PDFName.of('Title'));
      const destination = item.lookupMaybe(PDFName.of('Dest'), PDFArray) ?? item.lookupMaybe(PDFName.of('A'), PDFDict)?.lookupMaybe(PDFName.of('D'), PDFArray);
      const target = destination?.get(0);
      entries.push({
        title: title instanceof PDFString || title instanceof PDFHexString ? title.decodeText() : '',
        depth,
        page: target instanceof PDFRef ? (pageNumbers.get(target.toString()) ?? 0) : 0,
      });
      walk(item.get(PDFName.of('First')), depth + 1);
      const next = item.get(PDFName.of('Next'));
      item = next ? doc.context.lookupMaybe(next, PDFDict) : undefined;
    }
  };
  walk(outlines?.get(PDFName.of('First')), 1);
  return entries;
}

function xmp(info: PdfInfo): string {
  const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const date = info.date?.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lang = escape(info.lang);
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escape(info.title)}</rdf:li><rdf:li xml:lang="${lang}">${escape(info.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>${escape(info.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escape(info.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>${lang}</rdf:li></rdf:Bag></dc:language>
<dc:subject><rdf:Bag>${info.keywords.map((keyword) => `<rdf:li>${escape(keyword)}</rdf:li>`).join('')}</rdf:Bag></dc:subject>
<pdf:Keywords>${escape(info.keywords.join(', '))}</pdf:Keywords>
<pdf:Producer>${escape(info.creator)} (Chromium, pdf-lib)</pdf:Producer>
<xmp:CreatorTool>${escape(info.creator)}</xmp:CreatorTool>
${date ? `<xmp:CreateDate>${date}</xmp:CreateDate>\n<xmp:ModifyDate>${date}</xmp:ModifyDate>\n<xmp:MetadataDate>${date}</xmp:MetadataDate>\n` : ''}</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
