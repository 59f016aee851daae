import type { VFile } from 'vfile';
import { report } from './messages.ts';
import { briefMatterSchema, type BriefMatter } from './schema.ts';
import { splitFrontMatter } from './split-front-matter.ts';
import { validate } from './validate.ts';
import { parseYaml } from './yaml.ts';

/** Largest number of YAML alias expansions accepted in front matter. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads a brief's front matter: YAML between a first line `---` and the next `---` (or `...`)
 * line, and nothing else. Another engine (`---js`, `---javascript`, `+++` TOML, `;;;` JSON) is an
 * error, never code to run. A file without front matter is plain Markdown (see readPlain). Returns
 * the validated front matter, or undefined after reporting why.
 * The parsed YAML stays on `file.data.frontMatter`, so later steps report at a field's place.
 */
export function readFrontMatter(file: VFile): BriefMatter | undefined {
  const split = splitFrontMatter(String(file.value));
  if (split.kind === 'none') return readPlain(file);
  if (split.kind === 'engine') {
    report(file, 'error', `Front matter must be YAML between two "---" lines; "${split.fence}" asks for another format or engine, which brief does not run.`, 'front-matter-engine', { line: 1, column: 1 });
    return undefined;
  }
  if (split.kind === 'unclosed') {
    report(file, 'error', 'The front matter is never closed: add a "---" line after its last field.', 'front-matter-unclosed', { line: 1, column: 1 });
    return undefined;
  }
  file.data.frontMatterLines = split.lines;
  const yaml = parseYaml(file, split.yaml, { firstLine: 2, rule: 'front-matter-yaml', maxAliasCount: MAX_ALIAS_COUNT });
  if (!yaml) return undefined;
  file.data.frontMatter = yaml;
  return validate(briefMatterSchema, yaml, file, { noun: 'Front-matter field', rule: 'front-matter-field', unknownRule: 'unknown-field' });
}

/**
 * A brief without front matter, as every Markdown tool builds one: Pandoc's title block (`% Title`,
 * `% Author`, `% Date` as its first lines) when it starts with one; otherwise its title is taken
 * by the Markdown stage from its first level-1 heading (remark-title-heading.ts), and failing that
 * made from the file name (render-body.ts says which, and how to set it). Every other field keeps
 * its default.
 */
function readPlain(file: VFile): BriefMatter | undefined {
  if (String(file.value).trim() === '') {
    report(file, 'error', 'The file has only blank lines: a brief needs some text, and a title (a first line "# Title", or front matter).', 'empty-file', { line: 1, column: 1 });
    return undefined;
  }
  const lines = String(file.value).split('\n');
  if (!lines[0]!.startsWith('%')) {
    file.data.titleFromHeading = true;
    return briefMatterSchema.parse({ title: titleFromFileName(file) });
  }
  // Title, authors, date: each a "%" line, continued on lines that start with a space.
  const fields: string[] = [];
  let count = 0;
  while (count < lines.length && fields.length <= 3) {
    const line = lines[count]!.replace(/\r$/, '');
    if (line.startsWith('%') && fields.length < 3) fields.push(line.slice(1).trim());
    else if (/^[ \t]+\S/.test(line) && fields.length > 0) fields[fields.length - 1] += ` ${line.trim()}`;
    else break;
    count++;
  }
  file.data.frontMatterLines = count;
  const [title, author, date] = fields;
  const matter: Record<string, string> = { title: title || titleFromFileName(file) };
  if (author) matter.author = author.split(';').map((name) => name.trim()).filter(Boolean).join(', ');
  if (date && /^\d{4}-\d{2}(-\d{2})?$/.test(date)) matter.date = date;
  else if (date) report(file, 'warning', `The title block's date "${date}" is not YYYY-MM-DD or YYYY-MM, so it is not shown; write it so, or set date: in front matter.`, 'no-front-matter', { line: 3, column: 1 });
  if (!title) file.data.titleFromHeading = true;
  // Plain strings, checked above: the schema only adds its defaults.
  return briefMatterSchema.parse(matter);
}

/** "us-japan_relations.md" → "Us japan relations": a title for a file that gives none. */
export function titleFromFileName(file: VFile): string {
  const name = (file.stem ?? 'brief').replace(/\.[a-z]{2}(-[A-Za-z]{2,4})?$/, '').replace(/[-_\s]+/g, ' ').trim() || 'Brief';
  return name[0]!.toUpperCase() + name.slice(1);
}
