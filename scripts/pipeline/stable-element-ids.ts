import { PDFArray, PDFDict, PDFHexString, PDFName, PDFRef, PDFString, type PDFDocument, type PDFObject } from 'pdf-lib';

/** How Chromium names a structure element that others point at: its DOM node's id, "node00001937". */
const NODE_ID = /^node(\d+)$/;

/**
 * Gives the structure elements Chromium names (table header cells, which data cells list in
 * /Headers) names that depend on the document only. Chromium names them after its DOM node ids,
 * which count every node the renderer ever made: a page that showed other documents before (watch
 * mode, the briefs of a batch, a second print for the contents) gives the same brief other
 * names, and so other bytes. They are renumbered 1, 2, 3… in their order, at the same width, so
 * the ID tree stays sorted and every /ID, /Headers entry and ID tree key keeps its partner.
 */
export function stableElementIds(doc: PDFDocument): number {
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  if (!root) return 0;
  // Every place a name is written: a dict's entry, or an array's item.
  const places: { set: (value: PDFString) => void; id: bigint; width: number }[] = [];
  const note = (value: PDFObject | undefined, set: (value: PDFString) => void) => {
    const text = value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
    const match = text === undefined ? null : NODE_ID.exec(text);
    if (match) places.push({ set, id: BigInt(match[1]!), width: match[1]!.length });
  };
  const lookup = (value: PDFObject | undefined) => (value instanceof PDFRef ? doc.context.lookup(value) : value);
  const seen = new Set<PDFObject>();

  // The ID tree: a name tree (keys in /Names, ranges in /Limits, more nodes in /Kids).
  const walkNames = (node: PDFObject | undefined) => {
    const dict = lookup(node);
    if (!(dict instanceof PDFDict) || seen.has(dict)) return;
    seen.add(dict);
    for (const key of ['Names', 'Limits']) {
      const array = dict.lookupMaybe(PDFName.of(key), PDFArray);
      const step = key === 'Names' ? 2 : 1;
      for (let index = 0; array && index < array.size(); index += step) note(array.get(index), (value) => array.set(index, value));
    }
    const kids = dict.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let index = 0; kids && index < kids.size(); index++) walkNames(kids.get(index));
  };
  walkNames(root.get(PDFName.of('IDTree')));

  // The structure elements: their /ID, and the /Headers of their table attributes.
  const walkElements = (node: PDFObject | undefined) => {
    const value = lookup(node);
    if (value instanceof PDFArray) {
      for (let index = 0; index < value.size(); index++) walkElements(value.get(index));
      return;
    }
    if (!(value instanceof PDFDict) || seen.has(value)) return;
    seen.add(value);
    note(value.get(PDFName.of('ID')), (id) => value.set(PDFName.of('ID'), id));
    const attributes = lookup(value.get(PDFName.of('A')));
    for (const owner of attributes instanceof PDFArray ? attributes.asArray().map(lookup) : [attributes]) {
      const headers = owner instanceof PDFDict ? owner.lookupMaybe(PDFName.of('Headers'), PDFArray) : undefined;
      for (let index = 0; headers && index < headers.size(); index++) note(headers.get(index), (header) => headers.set(index, header));
    }
    walkElements(value.get(PDFName.of('K')));
  };
  walkElements(root.get(PDFName.of('K')));

  const order = [...new Set(places.map((place) => place.id))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(order.map((id, index) => [id, index + 1]));
  for (const place of places) place.set(PDFString.of(`node${String(rank.get(place.id)!).padStart(place.width, '0')}`));
  return order.length;
}
