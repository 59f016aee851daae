import { relative, resolve } from 'node:path';
import type { Io } from '../cli.ts';
import { EXIT, UsageError } from '../errors.ts';
import { formatMessage, sortedMessages } from '../pipeline/messages.ts';
import { parseCommandLine } from './args.ts';

export const IMPORT_HELP = `Usage: npm run import -- FILE.docx|FILE.html… [options]

Turns Word documents (.docx) and saved web pages (.html) into briefs: Markdown with front matter,
and the images beside it. Says what could not be carried over (comments, tracked changes, text
boxes, equations), each at its place; for a .docx the line is the paragraph's number.

Options:
  --out DIR            folder the briefs are written to (default: source)
  --force              replace a brief of the same name
  -h, --help           show this help

Exit status: 0 all imported, 1 a file could not be imported, 2 bad usage.`;

/** `npm run import`: each file → a brief in --out, with its images; messages, then a summary. */
export async function importCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    out: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${IMPORT_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('Name the files to import: npm run import -- report.docx page.html.');
  const [{ importDocument }, { loadConfig }, { configSchema }] = await Promise.all([import('../import/import-document.ts'), import('../pipeline/config.ts'), import('../pipeline/schema.ts')]);
  // The limits of brief.config.yaml (their defaults when it is missing or wrong: the build says why).
  const config = (await loadConfig(io.cwd)).config ?? configSchema.parse({});
  const outDir = resolve(io.cwd, values.out ?? 'source');
  let failed = 0;
  for (const input of positionals) {
    const { file, written } = await importDocument(resolve(io.cwd, input), {
      outDir,
      root: io.cwd,
      force: values.force === true,
      maxBytes: config.limits.max_bytes,
      maxImageBytes: config.limits.max_image_bytes,
    });
    const ok = !file.messages.some((message) => message.fatal === true);
    if (!ok) failed++;
    const names = written.map((path) => relative(io.cwd, path));
    io.stdout.write(ok ? `  ✓ ${input} → ${names[0]}${names.length > 1 ? ` and ${names.length - 1} image${names.length > 2 ? 's' : ''}` : ''}\n` : `  ✗ ${input}\n`);
    for (const message of sortedMessages(file)) io.stderr.write(`${formatMessage(message, io.cwd)}\n`);
  }
  io.stdout.write(`Imported ${positionals.length - failed} of ${positionals.length} file${positionals.length === 1 ? '' : 's'} into ${relative(io.cwd, outDir) || '.'}/.${failed ? ` ${failed} failed.` : ' Build them with npm run build.'}\n`);
  return failed ? EXIT.failed : EXIT.ok;
}
