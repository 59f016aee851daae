/** A brief's text split at its front matter: the one place that knows where front matter ends. */
export type FrontMatterSplit =
  /** The text does not start with a fence line. */
  | { kind: 'none' }
  /** A fence of another format or engine (`---js`, `+++` TOML, `;;;` JSON): never run. */
  | { kind: 'engine'; fence: string }
  /** Opened with `---` and never closed (a file half-written, most often). */
  | { kind: 'unclosed' }
  | {
      kind: 'yaml';
      /** The YAML between the fences. */
      yaml: string;
      /** Offset of the YAML in the text; it starts on line 2. */
      yamlOffset: number;
      /** Lines taken by the front matter, fences included. */
      lines: number;
      /** The Markdown after the closing fence, and its offset in the text. */
      body: string;
      bodyOffset: number;
    };

/**
 * Splits front matter from the body: YAML between a first line `---` and the next line `---` (or
 * `...`), trailing spaces allowed. Lines end in LF or CRLF.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const first = lineAt(text, 0);
  const opening = first.text;
  const fence = ['---', '+++', ';;;'].find((candidate) => opening.startsWith(candidate));
  if (!fence) return { kind: 'none' };
  if (fence !== '---' || opening.slice(3).trim() !== '') return { kind: 'engine', fence: opening.trim() };
  const yamlOffset = first.next;
  let lines = 1;
  for (let offset = yamlOffset; offset < text.length || offset === yamlOffset; ) {
    const line = lineAt(text, offset);
    lines++;
    const trimmed = line.text.replace(/[ \t]+$/, '');
    if (trimmed === '---' || trimmed === '...') {
      return { kind: 'yaml', yaml: text.slice(yamlOffset, offset), yamlOffset, lines, body: text.slice(line.next), bodyOffset: line.next };
    }
    if (line.next === offset) break;
    offset = line.next;
  }
  return { kind: 'unclosed' };
}

/** The line starting at `offset`, without its line ending, and the offset of the next line. */
function lineAt(text: string, offset: number): { text: string; next: number } {
  const end = text.indexOf('\n', offset);
  const stop = end === -1 ? text.length : end;
  const line = text.slice(offset, stop);
  return { text: line.endsWith('\r') ? line.slice(0, -1) : line, next: end === -1 ? text.length : end + 1 };
}
