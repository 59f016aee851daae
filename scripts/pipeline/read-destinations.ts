import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, type PDFDocument, type PDFObject } from 'pdf-lib';

/** Where Chrome printed a link target: its page (from 1) and its height below the top of the page's content box, in CSS px. */
export interface Destination {
  page: number;
  offset: number;
}

/** What a print says about its links. */
export interface PrintedLinks {
  /** Every element some link points to (Chrome records each as a named destination), by id. */
  destinations: Map<string, Destination>;
  /**
   * In-document links, by the id they point to: the page each is on, in page order. A link whose
   * text begins a page may leave a sliver of its box at the foot of the page before (a raised
   * footnote number does): only its tallest piece counts.
   */
  links: Map<string, number[]>;
}

/**
 * Reads a Chromium print's named destinations (/Dests: id → [page /XYZ x y z], y counted up from
 * the foot of the page, so that the top of the content box is the page height) and its link
 * annotations (/Dest: the id they point to).
 */
export function readDestinations(doc: PDFDocument): PrintedLinks {
  const pages = doc.getPages();
  const pageNumbers = new Map(pages.map((page, index) => [page.ref.toString(), index + 1]));
  const destinations = new Map<string, Destination>();
  const dests = doc.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  for (const [name, value] of dests?.entries() ?? []) {
    const array = doc.context.lookupMaybe(value, PDFArray);
    const pageRef = array?.get(0);
    const y = array?.get(3);
    const page = pageRef instanceof PDFRef ? pageNumbers.get(pageRef.toString()) : undefined;
    if (page === undefined || !(y instanceof PDFNumber)) continue;
    const height = pages[page - 1]!.getHeight();
    destinations.set(decodeName(name), { page, offset: ((height - y.asNumber()) * 96) / 72 });
  }
  const pieces = new Map<string, { page: number; height: number }[]>();
  pages.forEach((page, index) => {
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    for (const ref of annots?.asArray() ?? []) {
      const annot = doc.context.lookupMaybe(ref, PDFDict);
      if (annot?.get(PDFName.of('Subtype'))?.toString() !== '/Link') continue;
      const target = nameOf(annot.get(PDFName.of('Dest'))) ?? nameOf(annot.lookupMaybe(PDFName.of('A'), PDFDict)?.get(PDFName.of('D')));
      if (target === undefined) continue;
      const rect = annot.lookupMaybe(PDFName.of('Rect'), PDFArray)?.asArray().map((value) => (value instanceof PDFNumber ? value.asNumber() : 0));
      const height = rect && rect.length === 4 ? Math.abs(rect[3]! - rect[1]!) : 0;
      const list = pieces.get(target) ?? [];
      list.push({ page: index + 1, height });
      pieces.set(target, list);
    }
  });
  const links = new Map<string, number[]>();
  for (const [target, list] of pieces) {
    // Pieces of one link are on consecutive pages; a sliver is under half the tallest piece's height.
    const tallest = Math.max(...list.map((piece) => piece.height));
    links.set(target, [...new Set(list.filter((piece) => piece.height >= tallest / 2).map((piece) => piece.page))]);
  }
  return { destinations, links };
}

function nameOf(value: PDFObject | undefined): string | undefined {
  if (value instanceof PDFName) return decodeName(value);
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return undefined;
}

/** A PDF name's text, without the slash and with #xx escapes decoded. */
function decodeName(name: PDFName): string {
  return name.decodeText();
}
