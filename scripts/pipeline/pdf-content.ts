/**
 * Page content streams, read as operations (operands and operator), and what tagged PDF asks of
 * them: every mark on a page is either tagged content (inside a marked-content sequence with an
 * MCID, tied to the structure tree) or an artifact (`/Artifact BMC … EMC`: running headers and
 * footers, page backgrounds, rules, decorative marks). Chromium tags the document's content but
 * leaves the rest unmarked: the @page margin boxes (running header, page numbers), backgrounds
 * and CSS-generated marks. `markArtifacts` wraps exactly those in artifact sequences.
 */

/** One operation of a content stream: its operator and where it starts (at its first operand) and ends. */
export interface Operation {
  operator: string;
  /** The operands as written; kept for marked-content operators (BDC, BMC) only. */
  operands: string[];
  start: number;
  end: number;
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([...'()<>[]{}/%'].map((char) => char.charCodeAt(0)));
/** Whether a regular token starting with this character is a number (operators never start so). */
function startsNumber(char: number): boolean {
  return (char >= 0x30 && char <= 0x39) || char === 0x2b || char === 0x2d || char === 0x2e;
}

/** Splits a content stream (as latin1 text) into operations. */
export function parseContent(text: string): Operation[] {
  const operations: Operation[] = [];
  // Where each pending operand starts and ends; only marked-content operators' operands are kept as text.
  let spans: number[] = [];
  let groupStart = -1;
  let index = 0;
  const length = text.length;
  const skipString = (from: number): number => {
    let depth = 0;
    for (let at = from; at < length; at++) {
      const char = text.charCodeAt(at);
      if (char === 0x5c) at++;
      else if (char === 0x28) depth++;
      else if (char === 0x29 && --depth === 0) return at + 1;
    }
    return length;
  };
  // An array or dictionary operand, with what nests in it.
  const skipCompound = (from: number): number => {
    let depth = 0;
    let at = from;
    while (at < length) {
      const char = text.charCodeAt(at);
      if (char === 0x28) {
        at = skipString(at);
        continue;
      }
      if (char === 0x3c && text.charCodeAt(at + 1) === 0x3c) {
        depth++;
        at += 2;
        continue;
      }
      if (char === 0x3e && text.charCodeAt(at + 1) === 0x3e) {
        at += 2;
        if (--depth === 0) return at;
        continue;
      }
      if (char === 0x3c) {
        const close = text.indexOf('>', at);
        at = close === -1 ? length : close + 1;
        continue;
      }
      if (char === 0x5b) depth++;
      else if (char === 0x5d && --depth === 0) return at + 1;
      at++;
    }
    return length;
  };
  while (index < length) {
    const char = text.charCodeAt(index);
    if (WHITESPACE.has(char)) {
      index++;
      continue;
    }
    if (char === 0x25) {
      while (index < length && text.charCodeAt(index) !== 0x0a && text.charCodeAt(index) !== 0x0d) index++;
      continue;
    }
    const tokenStart = index;
    if (char === 0x28) index = skipString(index);
    else if (char === 0x3c && text.charCodeAt(index + 1) === 0x3c) index = skipCompound(index);
    else if (char === 0x3c) {
      const close = text.indexOf('>', index);
      index = close === -1 ? length : close + 1;
    } else if (char === 0x5b) index = skipCompound(index);
    else if (char === 0x2f) {
      index++;
      while (index < length && !WHITESPACE.has(text.charCodeAt(index)) && !DELIMITERS.has(text.charCodeAt(index))) index++;
    } else {
      while (index < length && !WHITESPACE.has(text.charCodeAt(index)) && !DELIMITERS.has(text.charCodeAt(index))) index++;
      if (index === tokenStart) index++;
      const word = startsNumber(char) ? '' : text.slice(tokenStart, index);
      if (word !== '' && word !== 'true' && word !== 'false' && word !== 'null') {
        const start = groupStart === -1 ? tokenStart : groupStart;
        if (word === 'ID') {
          // Inline image data runs to "EI" standing alone; the whole BI … EI is one operation.
          const data = /\sEI(?=[\s]|$)/g;
          data.lastIndex = index + 1;
          const found = data.exec(text);
          index = found ? found.index + found[0].length : length;
          const begin = operations.at(-1)?.operator === 'BI' ? operations.pop()! : undefined;
          operations.push({ operator: 'BI', operands: [], start: begin?.start ?? start, end: index });
        } else {
          const operands: string[] = [];
          if (word === 'BDC' || word === 'BMC') for (let at = 0; at < spans.length; at += 2) operands.push(text.slice(spans[at], spans[at + 1]));
          operations.push({ operator: word, operands, start, end: index });
        }
        spans = [];
        groupStart = -1;
        continue;
      }
    }
    if (groupStart === -1) groupStart = tokenStart;
    spans.push(tokenStart, index);
  }
  return operations;
}

/** Operators that start a path (no marked content may come between them and the painting operator). */
const PATH_START = new Set(['m', 're']);
const PATH_END = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'n']);
/** Operators that put marks on the page outside a text object. */
const PAINT_OUTSIDE_TEXT = new Set(['m', 're', 'Do', 'sh', 'BI']);
/** Operators that show text. */
const SHOW_TEXT = new Set(['Tj', 'TJ', "'", '"']);

/** Whether each marked-content sequence and text object holds tagged content (an MCID) somewhere inside. */
function taggedSpans(operations: Operation[]): Set<number> {
  const tagged = new Set<number>();
  const open: number[] = [];
  let text: number | undefined;
  operations.forEach((operation, index) => {
    const { operator } = operation;
    if (operator === 'BDC' || operator === 'BMC') {
      open.push(index);
      if (operator === 'BDC' && /\/MCID\b/.test(operation.operands[1] ?? '')) {
        for (const outer of open) tagged.add(outer);
        if (text !== undefined) tagged.add(text);
      }
    } else if (operator === 'EMC') open.pop();
    else if (operator === 'BT') text = index;
    else if (operator === 'ET') text = undefined;
  });
  return tagged;
}

/**
 * Wraps every mark outside tagged content in `/Artifact BMC … EMC`, at the places the PDF
 * specification allows: around whole text objects, paths and images outside text, or around text
 * operators inside a text object that also holds tagged text; never across a q/Q it did not open
 * in. Returns the stream unchanged when there is nothing to mark.
 */
export function markArtifacts(text: string): { text: string; marked: number } {
  const operations = parseContent(text);
  const tagged = taggedSpans(operations);
  const inserts: { at: number; text: string }[] = [];
  let depth = 0;
  let qDepth = 0;
  let inText = false;
  let inPath = false;
  let artifact: { inText: boolean; qDepth: number } | undefined;
  let marked = 0;
  const open = (at: number, insideText: boolean) => {
    inserts.push({ at, text: '/Artifact BMC\n' });
    artifact = { inText: insideText, qDepth };
    marked++;
  };
  const close = (at: number) => {
    inserts.push({ at, text: 'EMC\n' });
    artifact = undefined;
  };
  operations.forEach((operation, index) => {
    const { operator, start } = operation;
    if (operator === 'BDC' || operator === 'BMC') {
      if (depth === 0) {
        const isArtifact = operation.operands[0] === '/Artifact';
        if (tagged.has(index)) {
          if (artifact) close(start);
        } else if (!artifact && !isArtifact) {
          // A marked sequence with no tagged content inside (a span giving ActualText): an artifact's part.
          open(start, inText);
        }
      }
      depth++;
      return;
    }
    if (operator === 'EMC') {
      depth = Math.max(0, depth - 1);
      return;
    }
    if (operator === 'q') {
      qDepth++;
      return;
    }
    if (operator === 'Q') {
      if (artifact && !artifact.inText && qDepth === artifact.qDepth) close(start);
      qDepth--;
      return;
    }
    if (operator === 'BT') {
      inText = true;
      if (depth === 0) {
        if (artifact && tagged.has(index)) close(start);
        else if (!artifact && !tagged.has(index)) open(start, false);
      }
      return;
    }
    if (operator === 'ET') {
      if (artifact?.inText) close(start);
      inText = false;
      return;
    }
    if (PATH_END.has(operator)) {
      inPath = false;
      return;
    }
    if (depth > 0 || artifact) {
      if (PATH_START.has(operator)) inPath = true;
      return;
    }
    if (inText ? SHOW_TEXT.has(operator) : PAINT_OUTSIDE_TEXT.has(operator) && !inPath) open(start, inText);
    if (PATH_START.has(operator)) inPath = true;
  });
  if (artifact) inserts.push({ at: text.length, text: '\nEMC\n' });
  if (inserts.length === 0) return { text, marked: 0 };
  let result = '';
  let from = 0;
  for (const insert of inserts) {
    result += text.slice(from, insert.at) + insert.text;
    from = insert.at;
  }
  return { text: result + text.slice(from), marked };
}

/** What a content stream shows, as tagged PDF sees it. */
export interface ContentScan {
  /** Marks put on the page outside both tagged content and artifacts. */
  untagged: number;
  /**
   * The marked-content ids (MCIDs) that put something on the page, in the order they first do:
   * tagged content that is empty (a div with no text) is left out, so the structure tree's pages
   * are the pages where an element really shows.
   */
  painted: number[];
}

/** Reads a content stream once for both: its untagged marks and the tagged content it paints. */
export function scanContent(text: string): ContentScan {
  // For each open marked-content sequence: its MCID, and whether it makes content tagged or an artifact.
  const open: { mcid: number | undefined; covers: boolean }[] = [];
  let covered = 0;
  let inText = false;
  let inPath = false;
  let untagged = 0;
  const painted: number[] = [];
  const seen = new Set<number>();
  for (const operation of parseContent(text)) {
    const { operator } = operation;
    if (operator === 'BDC' || operator === 'BMC') {
      const mcid = operator === 'BDC' ? /\/MCID\s+(\d+)/.exec(operation.operands[1] ?? '')?.[1] : undefined;
      const covers = mcid !== undefined || operation.operands[0] === '/Artifact';
      open.push({ mcid: mcid === undefined ? undefined : Number(mcid), covers });
      if (covers) covered++;
      continue;
    }
    if (operator === 'EMC') {
      if (open.pop()?.covers) covered--;
      continue;
    }
    if (operator === 'BT') inText = true;
    else if (operator === 'ET') inText = false;
    // Where a mark is made: text shown, a path started (outside text), an image or shading drawn.
    const marks = inText ? SHOW_TEXT.has(operator) : PAINT_OUTSIDE_TEXT.has(operator) && !inPath;
    if (covered === 0 && marks) untagged++;
    // What is really painted: text, a path filled or stroked (not only clipped), an image.
    const paints = inText ? SHOW_TEXT.has(operator) : (PATH_END.has(operator) && operator !== 'n') || operator === 'Do' || operator === 'sh' || operator === 'BI';
    if (paints) {
      const mcid = open.findLast((sequence) => sequence.mcid !== undefined)?.mcid;
      if (mcid !== undefined && !seen.has(mcid)) {
        seen.add(mcid);
        painted.push(mcid);
      }
    }
    if (PATH_END.has(operator)) inPath = false;
    else if (PATH_START.has(operator)) inPath = true;
  }
  return { untagged, painted };
}

/** How many marks a content stream puts on the page outside both tagged content and artifacts. */
export function countUntagged(text: string): number {
  return scanContent(text).untagged;
}

/** The MCIDs of a content stream that put something on the page, in paint order (see ContentScan). */
export function paintedContent(text: string): number[] {
  return scanContent(text).painted;
}
