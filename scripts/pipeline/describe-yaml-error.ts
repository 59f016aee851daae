import { isMap, isNode, isPair, isScalar, visit, type Document, type LineCounter, type Scalar, type YAMLError } from 'yaml';

/** A parsed YAML text: the document, its text and lines, and the line of the file it starts on. */
export interface YamlSource {
  doc: Document;
  text: string;
  lines: LineCounter;
  firstLine: number;
}

/** A YAML problem in the words of someone who writes briefs: what is wrong, and the line to write instead. */
export interface YamlProblem {
  reason: string;
  /** Offset in the YAML text where the problem is. */
  offset: number;
}

/**
 * Rewords the YAML library's common errors (an unquoted colon, a tab, an unclosed quote, a key
 * given twice, a value starting with a reserved character, an unclosed [list]) as what went
 * wrong and what to write, placed where the writer has to act. Others keep the library's words.
 */
export function describeYamlError(error: YAMLError, { doc, text, lines, firstLine: fileLine }: YamlSource): YamlProblem {
  const at = error.pos[0];
  const line = lineAround(text, lines, at);
  const before = text.slice(line.start, at);
  const rest = text.slice(at, line.end).trim();
  const field = keyOfValueAt(doc, at) ?? fieldName(before);

  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' && /^Nested mappings/.test(error.message) && /:(\s|$)/.test(rest)) {
    return { offset: at, reason: `${field ? `The value of "${field}"` : 'This value'} holds ": ", which YAML reads as the start of another field. Put the whole value in quotes: ${before.trim()} ${quote(rest)}` };
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' && /^Nested mappings/.test(error.message)) {
    return { offset: at, reason: `${field ? `The value of "${field}"` : 'This value'} runs on into the next line, which is indented and holds ": ". Start each field at the left edge, or put a value that holds ": " in quotes.` };
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'BAD_INDENT' && !/Flow sequence/.test(error.message)) {
    return { offset: at, reason: 'This line is indented unlike the lines around it: the items of one list, and the fields of one mapping, start in the same column.' };
  }
  if (error.code === 'UNEXPECTED_TOKEN') {
    const quoted = lastQuotedBefore(doc, at);
    if (quoted && quoted.offset >= line.start) {
      const head = text.slice(line.start, quoted.offset);
      const name = keyOfValueAt(doc, quoted.offset) ?? fieldName(head);
      return { offset: quoted.offset, reason: `${name ? `The value of "${name}"` : 'This value'} starts with a quote, so it ends at the closing quote, yet more text follows. Put the whole value in quotes: ${head.trim()} ${quote(text.slice(quoted.offset, line.end).trim())}` };
    }
  }
  if (error.code === 'TAB_AS_INDENT') {
    return { offset: at, reason: 'This line is indented with a tab; YAML takes only spaces. Indent with spaces instead (two for each level).' };
  }
  if (error.code === 'MISSING_CHAR' && /closing ["']?quote/.test(error.message)) {
    const opened = lastQuotedBefore(doc, at);
    if (opened) {
      const start = lineAround(text, lines, opened.offset);
      const written = text.slice(opened.offset, start.end).trimEnd();
      const mark = written[0]!;
      const name = keyOfValueAt(doc, opened.offset) ?? fieldName(text.slice(start.start, opened.offset));
      return { offset: opened.offset, reason: `The quote ${mark} that opens ${name ? `the value of "${name}"` : 'this value'} is never closed, so the lines after it are read into it. Close it at the end of the value: ${text.slice(start.start, opened.offset).trim()} ${written}${mark}` };
    }
  }
  if (error.code === 'DUPLICATE_KEY') {
    const first = firstKeyLike(doc, at);
    if (first) {
      return { offset: at, reason: `Field "${first.name}" is given twice (first on line ${lines.linePos(first.offset).line + fileLine - 1}): a field may appear once. Keep the one you mean and delete the other.` };
    }
  }
  if (error.code === 'BAD_SCALAR_START') {
    return { offset: at, reason: `A value cannot start with "${rest[0]}" in YAML. Put it in quotes: ${before.trim()} ${quote(rest)}` };
  }
  if (error.code === 'BAD_INDENT' && /Flow sequence/.test(error.message)) {
    const open = text.lastIndexOf('[', at);
    return { offset: open === -1 ? at : open, reason: 'This list in brackets is never closed: end it with "]" on the same line, as in [one, two].' };
  }
  return { offset: at, reason: `YAML: ${firstLine(error.message)}. A value that holds ": " or " #", or starts with a quote, [, {, @, \` or *, goes in quotes: key: "value".` };
}

/**
 * Plain values followed by " #…" on the same line, the mark right before a word (`#1`): YAML
 * reads that as a comment and drops it, so `title: Item #1 of 3` is titled "Item". Each gives the
 * offset of the "#" and the fix. A comment written as one (`# note`) is left alone.
 */
export function droppedComments({ doc, text, lines }: YamlSource): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(doc, {
    Scalar(_, node) {
      if (node.type !== 'PLAIN' || !node.comment || !node.range) return;
      const line = lineAround(text, lines, node.range[0]);
      const hash = text.indexOf('#', node.range[1]);
      // "# note" (a space after the mark) is a comment meant as one; "#1" was meant as text.
      if (hash === -1 || hash >= line.end || /[\s#]/.test(text[hash + 1] ?? ' ')) return;
      const before = text.slice(line.start, node.range[0]);
      const whole = text.slice(node.range[0], line.end).trim();
      problems.push({ offset: hash, reason: `"${text.slice(hash, line.end).trim()}" is read as a YAML comment and left out of the value (" #" starts a comment). If it belongs to the value, put the whole value in quotes: ${before.trim()} ${quote(whole)}` });
    },
  });
  return problems;
}

/** The value in quotes a writer can paste: double quotes unless the value holds " or \ . */
function quote(value: string): string {
  if (!/["\\]/.test(value)) return `"${value}"`;
  return `'${value.replace(/'/g, "''")}'`;
}

/** The key whose value starts at `offset`, from the parsed document. */
function keyOfValueAt(doc: Document, offset: number): string | undefined {
  let key: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isNode(pair.value) && pair.value.range?.[0] === offset && isScalar(pair.key)) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/** The key of a `key: value` line as written before the value, when the document lost the pair. */
function fieldName(before: string): string | undefined {
  const key = before.trim().replace(/^(-\s+)+/, '');
  return key.endsWith(':') ? key.slice(0, -1).trim().replace(/^["']|["']$/g, '') : undefined;
}

function lineAround(text: string, lines: LineCounter, offset: number): { start: number; end: number } {
  const { line } = lines.linePos(offset);
  const start = lines.lineStarts[line - 1] ?? 0;
  const next = lines.lineStarts[line];
  const end = next === undefined ? text.length : text[next - 2] === '\r' ? next - 2 : next - 1;
  return { start, end };
}

/** The quoted value that starts last before `offset` (the one left open). */
function lastQuotedBefore(doc: Document, offset: number): { offset: number } | undefined {
  let found: Scalar | undefined;
  visit(doc, {
    Scalar(_, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[0] < offset && (!found || node.range[0] > found.range![0])) found = node;
    },
  });
  return found?.range ? { offset: found.range[0] } : undefined;
}

/** The first key of the same mapping with the same name as the key at `offset`. */
function firstKeyLike(doc: Document, offset: number): { name: string; offset: number } | undefined {
  let result: { name: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const keys = map.items.filter(isPair).map((pair) => pair.key).filter(isScalar);
      const repeated = keys.find((key) => key.range?.[0] === offset);
      if (!repeated) return;
      const first = keys.find((key) => key !== repeated && String(key.value) === String(repeated.value));
      if (first?.range) result = { name: String(repeated.value), offset: first.range[0] };
      return visit.BREAK;
    },
  });
  return result;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/[.:]$/, '');
}
