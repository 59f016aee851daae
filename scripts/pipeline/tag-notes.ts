import { PDFArray, PDFDict, PDFName, PDFRef, PDFString, type PDFDocument, type PDFObject } from 'pdf-lib';

/** A footnote of the print: its id, and the id of the reference its number links back to. */
export interface PrintedNote {
  id: string;
  back: string;
}

/**
 * Makes each footnote a Note in the PDF's structure tree, linked to its reference. Chromium tags
 * an element of role doc-footnote as a NonStruct; a note is found as the element around the
 * paragraph whose link goes back to the reference. The Note gets its id (/ID, which PDF/UA asks
 * of notes), and the note and the reference's Link point at each other (/Ref).
 */
export function tagNotes(doc: PDFDocument, notes: PrintedNote[]): number {
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  if (!root || notes.length === 0) return 0;
  const noteOfBack = new Map(notes.map((note) => [note.back, note.id]));
  const noteIds = new Set(notes.map((note) => note.id));
  const noteElements = new Map<string, PDFRef>();
  const refLinks = new Map<string, PDFRef[]>();
  const seen = new Set<PDFDict>();
  let budget = 200_000;
  const walk = (node: PDFDict, ancestors: { dict: PDFDict; ref: PDFRef | undefined }[], self: PDFRef | undefined) => {
    const kids = node.get(PDFName.of('K'));
    const list = kids instanceof PDFArray ? kids.asArray() : kids === undefined ? [] : [kids];
    if (node.get(PDFName.of('S'))?.toString() === '/Link') {
      for (const kid of list) {
        const dict = dictOf(doc, kid);
        if (dict?.get(PDFName.of('Type'))?.toString() !== '/OBJR') continue;
        const target = nameOf(dictOf(doc, dict.get(PDFName.of('Obj')))?.get(PDFName.of('Dest')));
        if (target === undefined) continue;
        const note = noteOfBack.get(target);
        if (note !== undefined && !noteElements.has(note)) {
          // The note: the nearest NonStruct (or Div) above the paragraph the link is in.
          const holder = [...ancestors].reverse().find((ancestor) => ['/NonStruct', '/Div'].includes(ancestor.dict.get(PDFName.of('S'))?.toString() ?? '') && ancestor.ref);
          if (holder) {
            holder.dict.set(PDFName.of('S'), PDFName.of('Note'));
            holder.dict.set(PDFName.of('ID'), PDFString.of(note));
            noteElements.set(note, holder.ref!);
          }
        }
        if (noteIds.has(target) && self) refLinks.set(target, [...(refLinks.get(target) ?? []), self]);
      }
    }
    for (const kid of list) {
      if (budget-- <= 0) return;
      const dict = dictOf(doc, kid);
      if (!dict || seen.has(dict) || !dict.has(PDFName.of('S'))) continue;
      seen.add(dict);
      walk(dict, [...ancestors, { dict: node, ref: self }], kid instanceof PDFRef ? kid : undefined);
    }
  };
  walk(root, [], undefined);
  for (const [id, element] of noteElements) {
    const links = refLinks.get(id) ?? [];
    if (links.length === 0) continue;
    doc.context.lookup(element, PDFDict).set(PDFName.of('Ref'), doc.context.obj(links));
    for (const link of links) doc.context.lookup(link, PDFDict).set(PDFName.of('Ref'), doc.context.obj([element]));
  }
  return noteElements.size;
}

function nameOf(value: PDFObject | undefined): string | undefined {
  if (value instanceof PDFName) return value.decodeText();
  if (value instanceof PDFString) return value.decodeText();
  return undefined;
}

/** The dictionary a kid is or refers to; undefined for marked-content ids and anything else. */
function dictOf(doc: PDFDocument, value: PDFObject | undefined): PDFDict | undefined {
  const object = value instanceof PDFRef ? doc.context.lookup(value) : value;
  return object instanceof PDFDict ? object : undefined;
}
