import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFString, type PDFDocument, type PDFObject } from 'pdf-lib';
import { scanContent } from '../pipeline/pdf-content.ts';
import { decodeContent } from '../pipeline/pdf-finish.ts';

/** One element of a tagged PDF's structure tree. */
export interface StructElement {
  /** Its standard role: H1, P, Table, TR, Figure, Link… (custom roles mapped through the RoleMap). */
  role: string;
  /** Alternative text (/Alt), for figures. */
  alt: string | undefined;
  /** Where its own content shows (empty marked content left out): page, and rank among the page's tagged content in paint order. */
  content: { page: number; rank: number }[];
  children: StructElement[];
}

/** A font the PDF's pages use. */
export interface PdfFont {
  /** PostScript name without the subset prefix ("SourceSerif4-Regular"). */
  name: string;
  /** Type0/CIDFontType2, TrueType, Type1, Type3… */
  type: string;
  /** The font program is inside the PDF. */
  embedded: boolean;
}

/** What `npm run check` reads from a finished PDF. */
export interface PdfFacts {
  pages: number;
  /** Page height in points, of the first page. */
  pageHeight: number;
  /** Marked as tagged (/MarkInfo /Marked true) with a structure tree. */
  tagged: boolean;
  title: string | undefined;
  /** Viewers show the title, not the file name, in their title bar (/DisplayDocTitle). */
  displayDocTitle: boolean;
  lang: string | undefined;
  fonts: PdfFont[];
  structure: StructElement | undefined;
  /** Marks outside both tagged content and artifacts, by page (pages with none are left out). */
  untagged: { page: number; marks: number }[];
  /** How many pieces of tagged content (MCIDs) show on each page, by page number. */
  contentPerPage: Map<number, number>;
}

/** Reads a PDF's pages, fonts, document information and structure tree. */
export function readPdf(doc: PDFDocument): PdfFacts {
  const pages = doc.getPages();
  const pageNumbers = new Map<string, number>();
  pages.forEach((page, index) => pageNumbers.set(page.ref.toString(), index + 1));
  const catalog = doc.catalog;
  const markInfo = catalog.lookupMaybe(PDFName.of('MarkInfo'), PDFDict);
  const treeRoot = catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  const viewer = catalog.lookupMaybe(PDFName.of('ViewerPreferences'), PDFDict);
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  const untagged: PdfFacts['untagged'] = [];
  // Per page: each MCID that shows something, with its rank in paint order.
  const painted = new Map<number, Map<number, number>>();
  pages.forEach((page, index) => {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    let marks = 0;
    const ranks = new Map<number, number>();
    for (const ref of refs) {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      const scan = scanContent(decodeContent(stream).toString('latin1'));
      marks += scan.untagged;
      for (const mcid of scan.painted) if (!ranks.has(mcid)) ranks.set(mcid, ranks.size);
    }
    painted.set(index + 1, ranks);
    if (marks > 0) untagged.push({ page: index + 1, marks });
  });
  return {
    pages: pages.length,
    pageHeight: pages[0]?.getHeight() ?? 0,
    tagged: markInfo?.get(PDFName.of('Marked'))?.toString() === 'true' && treeRoot !== undefined,
    title: textOf(info?.get(PDFName.of('Title'))),
    displayDocTitle: viewer?.get(PDFName.of('DisplayDocTitle'))?.toString() === 'true',
    lang: textOf(catalog.get(PDFName.of('Lang'))),
    fonts: readFonts(doc),
    structure: treeRoot ? readStructure(doc, treeRoot, pageNumbers, painted) : undefined,
    untagged,
    contentPerPage: new Map([...painted].map(([page, ranks]) => [page, ranks.size])),
  };
}

function textOf(value: PDFObject | undefined): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

/** Every font in the pages' resources and in the form XObjects they draw, once each. */
function readFonts(doc: PDFDocument): PdfFont[] {
  const fonts = new Map<string, PdfFont>();
  const seen = new Set<PDFDict>();
  const visitResources = (resources: PDFDict | undefined) => {
    if (!resources || seen.has(resources)) return;
    seen.add(resources);
    const fontDict = resources.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [, ref] of fontDict?.entries() ?? []) {
      const font = doc.context.lookupMaybe(ref, PDFDict);
      if (!font) continue;
      const key = ref instanceof PDFRef ? ref.toString() : String(fonts.size);
      if (!fonts.has(key)) fonts.set(key, describeFont(doc, font));
    }
    const xobjects = resources.lookupMaybe(PDFName.of('XObject'), PDFDict);
    for (const [, ref] of xobjects?.entries() ?? []) {
      const xobject = doc.context.lookup(ref);
      if (xobject instanceof PDFRawStream && xobject.dict.get(PDFName.of('Subtype'))?.toString() === '/Form') {
        visitResources(xobject.dict.lookupMaybe(PDFName.of('Resources'), PDFDict));
      }
    }
  };
  for (const page of doc.getPages()) visitResources(page.node.Resources());
  return [...fonts.values()];
}

function describeFont(doc: PDFDocument, font: PDFDict): PdfFont {
  const subtype = font.get(PDFName.of('Subtype'))?.toString().slice(1) ?? 'unknown';
  const baseFont = font.get(PDFName.of('BaseFont'))?.toString().slice(1) ?? '';
  let type = subtype;
  let descriptor = font.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
  if (subtype === 'Type0') {
    const descendant = doc.context.lookupMaybe(font.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray)?.get(0), PDFDict);
    type = `Type0/${descendant?.get(PDFName.of('Subtype'))?.toString().slice(1) ?? '?'}`;
    descriptor = descendant?.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
  }
  const embedded = subtype === 'Type3' || ['FontFile', 'FontFile2', 'FontFile3'].some((key) => descriptor?.has(PDFName.of(key)));
  return { name: baseFont.replace(/^[A-Z]{6}\+/, '').replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), type, embedded };
}

/** The structure tree from its root, each element with where its marked content shows. */
function readStructure(doc: PDFDocument, root: PDFDict, pageNumbers: Map<string, number>, painted: Map<number, Map<number, number>>): StructElement {
  const roleMap = root.lookupMaybe(PDFName.of('RoleMap'), PDFDict);
  const standardRole = (role: string): string => {
    let current = role;
    for (let hops = 0; hops < 8; hops++) {
      const mapped = roleMap?.get(PDFName.of(current));
      if (!(mapped instanceof PDFName)) break;
      current = mapped.asString().slice(1);
    }
    return current;
  };
  const seen = new Set<PDFDict>();
  let budget = 200_000;
  const pageOf = (ref: PDFObject | undefined): number | undefined => (ref instanceof PDFRef ? pageNumbers.get(ref.toString()) : undefined);
  const read = (node: PDFDict, role: string): StructElement => {
    const element: StructElement = { role, alt: textOf(node.get(PDFName.of('Alt'))), content: [], children: [] };
    const ownPage = pageOf(node.get(PDFName.of('Pg')));
    const addContent = (page: number | undefined, mcid: number | undefined) => {
      const rank = page === undefined || mcid === undefined ? undefined : painted.get(page)?.get(mcid);
      if (page === undefined || rank === undefined) return;
      element.content.push({ page, rank });
    };
    const mcidOf = (value: PDFObject | undefined) => (value instanceof PDFNumber ? value.asNumber() : undefined);
    const kids = node.get(PDFName.of('K'));
    const list = kids instanceof PDFArray ? kids.asArray() : kids === undefined ? [] : [kids];
    for (const kid of list) {
      if (budget-- <= 0) break;
      if (kid instanceof PDFNumber) {
        addContent(ownPage, kid.asNumber());
        continue;
      }
      const dict = doc.context.lookupMaybe(kid, PDFDict);
      if (!dict || seen.has(dict)) continue;
      const type = dict.get(PDFName.of('Type'))?.toString();
      if (type === '/MCR') {
        addContent(pageOf(dict.get(PDFName.of('Pg'))) ?? ownPage, mcidOf(dict.get(PDFName.of('MCID'))));
      } else if (type === '/OBJR') {
        // An annotation (a link's clickable area): not content shown on the page.
      } else if (dict.has(PDFName.of('S'))) {
        seen.add(dict);
        element.children.push(read(dict, standardRole(dict.get(PDFName.of('S'))!.toString().slice(1))));
      }
    }
    return element;
  };
  return read(root, 'StructTreeRoot');
}

/** Every page an element or its descendants have content on, sorted. */
export function pagesUnder(element: StructElement): number[] {
  const pages = new Set<number>(element.content.map((item) => item.page));
  const walk = (node: StructElement) => {
    for (const item of node.content) pages.add(item.page);
    node.children.forEach(walk);
  };
  element.children.forEach(walk);
  return [...pages].sort((a, b) => a - b);
}

/** The structure's elements in reading order (depth first), the root left out. */
export function flatten(root: StructElement): StructElement[] {
  const all: StructElement[] = [];
  const walk = (node: StructElement) => {
    all.push(node);
    node.children.forEach(walk);
  };
  root.children.forEach(walk);
  return all;
}
