import { relative, resolve } from 'node:path';
import type { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import type { Io } from '../cli.ts';
import { EXIT, UsageError } from '../errors.ts';
import { ruleById, silenceIgnored, type Rule } from '../pipeline/rules.ts';
import type { BriefResult } from '../pipeline/build.ts';
import { formatLine, sortedMessages } from '../pipeline/messages.ts';
import { parseCommandLine } from './args.ts';
import { progressPrinter, seconds } from './build.ts';

export const CHECK_HELP = `Usage: npm run check -- [files or folders…] [options]

Preflight: builds what is out of date (as npm run build does), then checks each brief's
content, its printed layout (measured in Chromium) and its accessibility (axe-core on the
handout; tags, title, language, figure texts and heading order of the PDF). Reports each
problem as file:line:col severity message (rule); the README lists every rule.

Options:
  --format text|json   report as text lines (default) or one JSON document, for CI
  --output FILE        write the report to FILE (replaced whole, never half-written) instead of
                       stdout; progress and the summary line stay on stderr
  --strict             warnings fail the check too
  -h, --help           show this help

Silence a rule for one brief with "ignore: [rule-id]" in its front matter, or for every
brief in brief.config.yaml; "axe/<axe rule id>" silences one accessibility rule of axe-core.
To pipe the JSON report, keep npm's own lines out of it: npm run -s check -- --format json.

Exit status: 0 no errors (and, with --strict, no warnings), 1 otherwise, 2 bad usage.`;

type Severity = 'error' | 'warning';

/** One message as a check reports it. */
interface CheckedMessage {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  rule: string | null;
  category: Rule['category'] | 'build' | null;
  message: string;
}

/** `npm run check`: builds (incrementally) with the checks on, then reports. */
export async function check(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    format: { type: 'string' },
    output: { type: 'string' },
    strict: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${CHECK_HELP}\n`);
    return EXIT.ok;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format takes text or json; got "${format}".`);
  if (values.output !== undefined && values.output.trim() === '') throw new UsageError('--output takes a file name, e.g. --output check.json.');
  const strict = values.strict ?? false;
  // Loaded here, not at the top: `--help` and usage errors answer without loading the checks.
  const [{ resolveSettings }, { buildAll }, { briefChecks }, { checkBrand }] = await Promise.all([
    import('../pipeline/settings.ts'),
    import('../pipeline/build.ts'),
    import('../check/check-built.ts'),
    import('../check/check-brand.ts'),
  ]);
  const settings = await resolveSettings({ inputs: positionals, check: briefChecks }, { cwd: io.cwd, env: io.env });
  // Progress goes to stderr: stdout is the report (JSON must stay parseable).
  const progress = progressPrinter(settings, { ...io, stdout: io.stderr });
  const summary = await buildAll(settings, { signal: io.signal, onEvent: progress.onEvent });
  progress.done();
  // The config's own check: its brand colors against the page (check-brand.ts).
  if (settings.config.brand) {
    checkBrand(settings.configFile, settings.config.brand);
    silenceIgnored(settings.configFile, settings.config.ignore ?? []);
    if (settings.configFile.messages.length > 0 && !summary.runFiles.includes(settings.configFile)) summary.runFiles.push(settings.configFile);
  }

  const root = settings.root;
  const convert = (file: VFile) => sortedMessages(file).map((message) => toChecked(message, root));
  const runMessages = summary.runFiles.flatMap(convert);
  const briefs = summary.results.map((result) => describe(result, convert(result.outcome.file), root));
  const all = [...runMessages, ...briefs.flatMap((brief) => brief.messages)];
  const errors = all.filter((message) => message.severity === 'error').length;
  const warnings = all.length - errors;
  const configBroken = summary.runFiles.some((file) => file.messages.some((message) => message.fatal === true));
  const ok = errors === 0 && !configBroken && (!strict || warnings === 0);
  const line = summaryLine(briefs.length, errors, warnings, strict, ok, summary.durationMs);

  const document =
    format === 'json'
      ? `${JSON.stringify({ ok, strict, summary: { briefs: briefs.length, errors, warnings, durationMs: Math.round(summary.durationMs) }, messages: runMessages, briefs }, null, 2)}\n`
      : // A problem in a file briefs share (a template's) is printed once.
        `${[...new Set(all.map((message) => formatLine(message))), line].join('\n')}\n`;
  if (values.output !== undefined) {
    const target = resolve(io.cwd, values.output);
    const { writeFileAtomic } = await import('../pipeline/write.ts');
    await writeFileAtomic(target, document);
    io.stderr.write(`${line} Report written to ${relative(io.cwd, target) || target}.\n`);
  } else {
    io.stdout.write(document);
    // JSON on stdout stays one document; the summary goes beside it.
    if (format === 'json') io.stderr.write(`${line}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

/** A message with the severity its rule has in a check (content rules are warnings in a build). */
function toChecked(message: VFileMessage, root: string): CheckedMessage {
  const rule = message.ruleId ? ruleById(message.ruleId) : undefined;
  const severity: Severity = rule ? rule.severity : message.fatal === true ? 'error' : 'warning';
  const end = message.place && 'end' in message.place ? message.place.end : undefined;
  return {
    file: message.file ? relative(root, message.file) || message.file : '<input>',
    line: message.line ?? 1,
    column: message.column ?? 1,
    ...(end && (end.line !== message.line || end.column !== message.column) ? { endLine: end.line, endColumn: end.column } : {}),
    severity,
    rule: message.ruleId ?? null,
    category: rule?.category ?? (message.ruleId ? 'build' : null),
    message: message.reason,
  };
}

function describe(result: BriefResult, messages: CheckedMessage[], root: string) {
  const errors = messages.filter((message) => message.severity === 'error').length;
  return {
    source: relative(root, result.job.source),
    status: result.status === 'failed' ? 'failed' : 'checked',
    outputs: { html: relative(root, result.job.outputs.html), pdf: relative(root, result.job.outputs.pdf) },
    pages: result.outcome.pages ?? null,
    errors,
    warnings: messages.length - errors,
    messages,
  };
}

function summaryLine(briefs: number, errors: number, warnings: number, strict: boolean, ok: boolean, ms: number): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const verdict = ok ? (warnings > 0 ? 'passed, with warnings' : 'passed') : strict && errors === 0 ? 'failed (--strict: warnings fail)' : 'failed';
  return `Checked ${count(briefs, 'brief')} in ${seconds(ms)}: ${count(errors, 'error')}, ${count(warnings, 'warning')}; ${verdict}.`;
}
