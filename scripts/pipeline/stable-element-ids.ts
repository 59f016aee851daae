import { PDFArray, PDFDict, PDFHexString, PDFName, PDFRef, PDFString, type PDFDocument, type PDFObject } from 'pdf-lib';

/** How Chromium names a structure element that others point at: its DOM node's id, "node00001937". */
const NODE_ID = /^node(\d+)$/;

/**
 * Gives the structure elements Chromium names (table header cells, which data cells list in
 * /Headers) names that depend on the document only. Chromium names them after its DOM node ids,
 * which count every node the renderer ever made, in no order of the document's: a page that
 * showed other documents before (watch mode, the briefs of a batch, a second print for the
 * contents) gives the same brief other names, and so other bytes. They are renamed node00000001,
 * node00000002… in the order of the structure tree; every /Headers entry follows its element, and
 * the ID tree's keys are renamed and sorted again. Returns how many were renamed.
 */
export function stableElementIds(doc: PDFDocument): number {
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  if (!root) return 0;
  const lookup = (value: PDFObject | undefined) => (value instanceof PDFRef ? doc.context.lookup(value) : value);
  const nodeId = (value: PDFObject | undefined): string | undefined => {
    const text = value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
    return text !== undefined && NODE_ID.test(text) ? text : undefined;
  };

  // The named elements in the order of the structure tree, and every /Headers list.
  const named: PDFDict[] = [];
  const headerLists: PDFArray[] = [];
  const seen = new Set<PDFObject>();
  const walk = (node: PDFObject | undefined) => {
    const value = lookup(node);
    if (value instanceof PDFArray) {
      for (let index = 0; index < value.size(); index++) walk(value.get(index));
      return;
    }
    if (!(value instanceof PDFDict) || seen.has(value)) return;
    seen.add(value);
    if (nodeId(value.get(PDFName.of('ID')))) named.push(value);
    const attributes = lookup(value.get(PDFName.of('A')));
    for (const owner of attributes instanceof PDFArray ? attributes.asArray().map(lookup) : [attributes]) {
      const headers = owner instanceof PDFDict ? owner.lookupMaybe(PDFName.of('Headers'), PDFArray) : undefined;
      if (headers) headerLists.push(headers);
    }
    walk(value.get(PDFName.of('K')));
  };
  walk(root.get(PDFName.of('K')));
  if (named.length === 0) return 0;

  const renamed = new Map<string, string>();
  for (const element of named) {
    const old = nodeId(element.get(PDFName.of('ID')))!;
    if (!renamed.has(old)) renamed.set(old, `node${String(renamed.size + 1).padStart(8, '0')}`);
    element.set(PDFName.of('ID'), PDFString.of(renamed.get(old)!));
  }
  const rename = (value: PDFObject | undefined): PDFObject | undefined => {
    const old = nodeId(value);
    return old && renamed.has(old) ? PDFString.of(renamed.get(old)!) : value;
  };
  for (const headers of headerLists) {
    for (let index = 0; index < headers.size(); index++) headers.set(index, rename(headers.get(index))!);
  }

  // The ID tree (a name tree: keys and values in its leaves' /Names, key ranges in /Limits): its
  // keys renamed, sorted again, and put back into the same leaves, as many in each as before.
  const leaves: PDFDict[] = [];
  const collect = (node: PDFObject | undefined) => {
    const dict = lookup(node);
    if (!(dict instanceof PDFDict)) return;
    if (dict.lookupMaybe(PDFName.of('Names'), PDFArray)) leaves.push(dict);
    const kids = dict.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let index = 0; kids && index < kids.size(); index++) collect(kids.get(index));
  };
  collect(root.get(PDFName.of('IDTree')));
  const pairs: { key: PDFObject; value: PDFObject }[] = [];
  for (const leaf of leaves) {
    const names = leaf.lookup(PDFName.of('Names'), PDFArray);
    for (let index = 0; index + 1 < names.size(); index += 2) pairs.push({ key: rename(names.get(index))!, value: names.get(index + 1) });
  }
  const keyText = (key: PDFObject) => (key instanceof PDFString || key instanceof PDFHexString ? key.decodeText() : '');
  pairs.sort((a, b) => (keyText(a.key) < keyText(b.key) ? -1 : keyText(a.key) > keyText(b.key) ? 1 : 0));
  let next = 0;
  for (const leaf of leaves) {
    const names = leaf.lookup(PDFName.of('Names'), PDFArray);
    const count = names.size() >> 1;
    const mine = pairs.slice(next, next + count);
    next += count;
    for (const [index, pair] of mine.entries()) {
      names.set(2 * index, pair.key);
      names.set(2 * index + 1, pair.value);
    }
    const limits = leaf.lookupMaybe(PDFName.of('Limits'), PDFArray);
    if (limits && mine.length > 0) {
      limits.set(0, mine[0]!.key);
      limits.set(1, mine.at(-1)!.key);
    }
  }
  return renamed.size;
}
