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
 * error, never code to run. Returns the validated front matter, or undefined after reporting why.
 * The parsed YAML stays on `file.data.frontMatter`, so later steps report at a field's place.
 */
export function readFrontMatter(file: VFile): BriefMatter | undefined {
  const split = splitFrontMatter(String(file.value));
  if (split.kind === 'none') {
    report(file, 'error', 'The brief has no front matter. Start the file with a "---" line, then "title: …", then another "---" line.', 'front-matter-missing', { line: 1, column: 1 });
    return undefined;
  }
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
