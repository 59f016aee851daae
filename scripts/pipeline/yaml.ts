import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { VFile } from 'vfile';
import { describeYamlError, droppedComments } from './describe-yaml-error.ts';
import { report, type Place, type Point } from './messages.ts';

/** YAML parsed with positions: the plain data, and where each key path sits in the file. */
export interface PositionedYaml {
  data: unknown;
  /** The place of the value at `path` (or of its nearest parent that exists). */
  locate(path: readonly PropertyKey[]): Place;
  /** The place of the key at `path`, for "unknown field" messages. */
  locateKey(path: readonly PropertyKey[]): Place;
  /** The place of the value at `path`, if the document has one there. */
  find(path: readonly PropertyKey[]): Place | undefined;
  /** Where a text value holding `text` is, at the text itself when the value is written as is. */
  findText(text: string): Point | undefined;
}

export interface ParseYamlOptions {
  /** Line of the file where `text` begins (1-based), so positions point into the whole file. */
  firstLine: number;
  /** Rule id for syntax errors. */
  rule: string;
  /** Largest number of alias expansions; guards against "billion laughs" documents. */
  maxAliasCount: number;
}

/**
 * Parses YAML as data only (the core schema: no tags that build objects, no code), reporting
 * syntax errors, duplicate keys and alias bombs as messages on `file` with their positions.
 * Returns undefined when the text is not usable.
 */
export function parseYaml(file: VFile, text: string, options: ParseYamlOptions): PositionedYaml | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', resolveKnownTags: false, uniqueKeys: true, prettyErrors: false, strict: true });
  const toPoint = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + options.firstLine - 1, column: col };
  };
  const source = { doc, text, lines: lineCounter, firstLine: options.firstLine };
  // One message for each place: the library often gives two or three for one mistake.
  const reported = new Set<number>();
  for (const error of doc.errors) {
    const problem = describeYamlError(error, source);
    const { line } = lineCounter.linePos(problem.offset);
    if (reported.has(line)) continue;
    reported.add(line);
    report(file, 'error', problem.reason, options.rule, toPoint(problem.offset));
  }
  for (const warning of doc.warnings) {
    const tag = /Unresolved tag: (?:tag:yaml\.org,2002:)?(\S+)/.exec(warning.message);
    const reason = tag ? `YAML tag "${tag[1]!.startsWith('!') ? tag[1] : `!!${tag[1]}`}" is ignored: brief reads plain values only, so this one is read as text.` : `YAML: ${firstLine(warning.message)}.`;
    report(file, 'warning', reason, options.rule, toPoint(warning.pos[0]));
  }
  if (doc.errors.length > 0) return undefined;
  for (const problem of droppedComments(source)) report(file, 'warning', problem.reason, options.rule, toPoint(problem.offset));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: options.maxAliasCount });
  } catch (error) {
    report(file, 'error', `YAML: ${(error as Error).message} (more than ${options.maxAliasCount} alias expansions).`, options.rule, toPoint(0));
    return undefined;
  }

  const rangeAt = (path: readonly PropertyKey[], key: boolean): Place => {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = nodeAt(doc, path.slice(0, depth), key && depth === path.length);
      if (found?.range) return { start: toPoint(found.range[0]), end: toPoint(found.range[1]) };
    }
    return { start: toPoint(0) };
  };
  const find = (path: readonly PropertyKey[]): Place | undefined => {
    const range = nodeAt(doc, path, false)?.range;
    return range ? { start: toPoint(range[0]), end: toPoint(range[1]) } : undefined;
  };
  const findText = (needle: string): Point | undefined => {
    let found: Point | undefined;
    visit(doc, {
      Scalar(_, node) {
        if (typeof node.value !== 'string' || !node.range) return;
        const index = node.value.indexOf(needle);
        if (index === -1) return;
        // A plain value on one line is written as it reads; elsewhere, point at the value.
        const at = node.range[0] + index;
        found = toPoint(node.type === 'PLAIN' && text.startsWith(needle, at) ? at : node.range[0]);
        return visit.BREAK;
      },
    });
    return found;
  };
  return { data, locate: (path) => rangeAt(path, false), locateKey: (path) => rangeAt(path, true), find, findText };
}

function nodeAt(doc: Document, path: readonly PropertyKey[], key: boolean): { range?: [number, number, number] | null } | undefined {
  if (!key) {
    const node: unknown = doc.getIn(path, true);
    return isNode(node) ? node : undefined;
  }
  const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const name = String(path[path.length - 1]);
  const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === name);
  return isScalar(pair?.key) ? pair.key : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/[.:]$/, '');
}
