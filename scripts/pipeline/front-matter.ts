import type { VFile } from 'vfile';
import { report } from './messages.ts';
import { briefMatterSchema, type BriefMatter } from './schema.ts';
import { validate } from './validate.ts';
import { parseYaml } from './yaml.ts';

/** Largest number of YAML alias expansions accepted in front matter. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads a brief's front matter: YAML between a first line `---` and the next `---` (or `...`)
 * line, and nothing else. Another engine (`---js`, `---javascript`, `+++` TOML, `;;;` JSON) is an
 * error, never code to run. Returns the validated front matter, or undefined after reporting why.
 */
export function readFrontMatter(file: VFile): BriefMatter | undefined {
  const text = String(file.value);
  const opening = /^(---|\+\+\+|;;;)([^\r\n]*)(\r?\n|$)/.exec(text);
  if (!opening) {
    report(file, 'error', 'The brief has no front matter. Start the file with a "---" line, then "title: …", then another "---" line.', 'front-matter-missing', { line: 1, column: 1 });
    return undefined;
  }
  const [, fence, rest] = opening;
  if (fence !== '---' || rest!.trim() !== '') {
    report(file, 'error', `Front matter must be YAML between two "---" lines; "${(fence! + rest!).trim()}" asks for another format or engine, which brief does not run.`, 'front-matter-engine', { line: 1, column: 1 });
    return undefined;
  }
  const bodyStart = opening[0].length;
  const closing = /^(---|\.\.\.)[ \t]*(\r?\n|$)/m;
  const after = text.slice(bodyStart);
  const match = closing.exec(after);
  if (!match) {
    report(file, 'error', 'The front matter is never closed: add a "---" line after its last field.', 'front-matter-unclosed', { line: 1, column: 1 });
    return undefined;
  }
  const yamlText = after.slice(0, match.index);
  file.data.frontMatterLines = 2 + (yamlText.match(/\n/g)?.length ?? 0);
  const yaml = parseYaml(file, yamlText, { firstLine: 2, rule: 'front-matter-yaml', maxAliasCount: MAX_ALIAS_COUNT });
  if (!yaml) return undefined;
  return validate(briefMatterSchema, yaml, file, { noun: 'Front-matter field', rule: 'front-matter-field', unknownRule: 'unknown-field' });
}
