import type { VFile } from 'vfile';
import { report } from './messages.ts';

/** Container markers that open a nesting level at the start of a line: quotes and list items. */
const CONTAINER = /^[ \t]{0,3}(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?/;
/** HTML tags that never hold content, so never nest. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Refuses, before parsing, a brief nested deeper than `maxDepth` levels: quotes in lists in
 * quotes…, deeply indented lines, or raw HTML elements inside each other. The Markdown and HTML
 * tools walk trees recursively, so a few thousand levels would exhaust the stack (and some
 * shapes take minutes to parse). Reports an error with the place and returns false when over.
 */
export function checkNesting(file: VFile, maxDepth: number): boolean {
  const lines = String(file.value).split('\n');
  let htmlDepth = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    let rest = line;
    let depth = 0;
    for (let match = CONTAINER.exec(rest); match && depth <= maxDepth; match = CONTAINER.exec(rest)) {
      depth++;
      rest = rest.slice(match[0].length);
    }
    // Indentation nests list items too: count two columns as a level.
    const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
    depth = Math.max(depth, Math.floor(indent / 2));
    if (depth > maxDepth) return tooDeep(file, maxDepth, index + 1, 1);
    for (const tag of line.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g)) {
      const name = tag[2]!.toLowerCase();
      if (VOID.has(name) || tag[3] === '/') continue;
      htmlDepth = tag[1] ? Math.max(0, htmlDepth - 1) : htmlDepth + 1;
      if (htmlDepth > maxDepth) return tooDeep(file, maxDepth, index + 1, tag.index + 1);
    }
    // Runs of emphasis markers are where the Markdown parser slows down the most.
    const markers = /[*_]{64,}/.exec(line);
    if (markers && !/^[ \t]*([*_])[ \t]*(\1[ \t]*)*$/.test(line)) {
      report(file, 'error', `A run of ${markers[0].length} "*" or "_" characters: emphasis this deep cannot be set; escape them (\\*) or shorten the run (limits.max_depth).`, 'limit-depth', { line: index + 1, column: markers.index + 1 });
      return false;
    }
  }
  return true;
}

function tooDeep(file: VFile, maxDepth: number, line: number, column: number): false {
  report(file, 'error', `The text is nested more than ${maxDepth} levels deep (lists, quotes or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml.`, 'limit-depth', { line, column });
  return false;
}
