import { relative } from 'node:path';
import type { Io } from '../cli.ts';
import { EXIT } from '../errors.ts';
import type { BuildEvent, BuildSummary } from '../pipeline/build.ts';
import { formatMessage, sortedMessages } from '../pipeline/messages.ts';
import { formatBytes } from '../pipeline/read.ts';
import type { Settings } from '../pipeline/settings.ts';
import { parseCommandLine, parseFormats, parseInteger, parseShard } from './args.ts';
import { ProgressBar } from './progress.ts';
import { statSync } from 'node:fs';

export const BUILD_HELP = `Usage: npm run build -- [files or folders…] [options]

Builds each Markdown brief into an HTML handout and a PDF. With no files or folders, builds
every brief under source/. Outputs mirror the source tree under the output folder.

Options:
  --out DIR            output folder (default: output)
  --format LIST        html, pdf or html,pdf (default: html,pdf)
  --force              rebuild every brief, even when up to date
  --jobs N             briefs built at once (default: cores + 1)
  --shard I/N          build only the I-th of N stable parts of the set (for CI matrices)
  -h, --help           show this help

Exit status: 0 all briefs written, 1 a brief failed, 2 bad usage.`;

/** `npm run build`: builds briefs, prints progress, problems and a summary. */
export async function build(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    out: { type: 'string' },
    format: { type: 'string' },
    force: { type: 'boolean' },
    jobs: { type: 'string' },
    shard: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${BUILD_HELP}\n`);
    return EXIT.ok;
  }
  const options = {
    inputs: positionals,
    out: values.out,
    formats: parseFormats(values.format),
    force: values.force,
    jobs: parseInteger('jobs', values.jobs, 1, 64),
    shard: parseShard(values.shard),
  };
  // A build sure to print starts Chrome first, so that its launch overlaps everything below.
  const early = await (await import('../pipeline/prelaunch.ts')).prelaunch({ cwd: io.cwd, env: io.env, inputs: options.inputs, out: options.out, formats: options.formats, force: options.force, signal: io.signal });
  try {
    // Loaded after the options are read: `--help` and usage errors answer without loading the
    // pipeline (its schema and YAML parser alone are a megabyte of code).
    const [{ resolveSettings }, { buildAll }] = await Promise.all([import('../pipeline/settings.ts'), import('../pipeline/build.ts')]);
    const settings = await resolveSettings(options, { cwd: io.cwd, env: io.env });
    const progress = progressPrinter(settings, io);
    const summary = await buildAll(settings, { signal: io.signal, onEvent: progress.onEvent, early });
    progress.done();
    return printSummary(summary, settings, io);
  } finally {
    // Whatever happened, no Chrome outlives the command (a no-op when the build took it over and closed it).
    await early?.close();
  }
}

/**
 * Progress while a build runs: one line per brief as it finishes (and when Chrome is ready), and
 * on a terminal a progress bar with the brief being built and the time left.
 */
export function progressPrinter(settings: Settings, io: Io): { onEvent: (event: BuildEvent) => void; done: () => void } {
  const cwd = settings.root;
  const bar = new ProgressBar(io);
  const onEvent = (event: BuildEvent) => {
    switch (event.type) {
      case 'plan': {
        const toBuild = event.total - event.upToDate;
        if (toBuild === 0) break;
        const fresh = event.upToDate > 0 ? `; ${event.upToDate} up to date` : '';
        bar.line(`${settings.check ? 'Checking' : 'Building'} ${toBuild} of ${event.total} brief${event.total === 1 ? '' : 's'} → ${relative(cwd, settings.outDir) || '.'}/ (${[...settings.formats].join(', ')})${fresh}`);
        bar.start(toBuild);
        break;
      }
      case 'chrome':
        bar.line(`  Chrome ready in ${seconds(event.launchMs)} (${event.location.executablePath}, from ${event.location.source}, pid ${event.pid ?? '?'})`);
        break;
      case 'log':
        bar.line(`  ${event.line}`);
        break;
      case 'brief-start':
        bar.working(relative(cwd, event.job.source));
        break;
      case 'brief-done': {
        const { job, status, outcome, durationMs } = event.result;
        bar.advance();
        if (status === 'failed') {
          const errors = outcome.file.messages.filter((message) => message.fatal === true).length;
          bar.line(`  ✗ ${relative(cwd, job.source)}  ${errors} error${errors === 1 ? '' : 's'}`);
        } else {
          const outputs = outcome.written.map((path) => `${relative(cwd, path)} (${formatBytes(statSync(path).size)}${path.endsWith('.pdf') && outcome.pages ? `, ${outcome.pages} page${outcome.pages === 1 ? '' : 's'}` : ''})`);
          bar.line(`  ✓ ${relative(cwd, job.source)} → ${outputs.join(', ')}  ${seconds(durationMs)}`);
          if (settings.env.BRIEF_TIMINGS) bar.line(`    ${Object.entries(outcome.timings).map(([stage, ms]) => `${stage} ${Math.round(ms)} ms`).join(', ')}${outcome.footnotes ? `, footnote prints ${outcome.footnotes.passes}` : ''}`);
        }
        break;
      }
    }
  };
  return { onEvent, done: () => bar.finish() };
}

/** Prints every message (file:line:col severity message (rule)) and the totals; returns the exit code. */
export function printSummary(summary: BuildSummary, settings: Settings, io: Io): number {
  const files = [...summary.runFiles, ...summary.results.map((result) => result.outcome.file)];
  let errors = 0;
  let warnings = 0;
  // A problem in a file briefs share (a template's, the config's logo) is on every brief that
  // uses it: it is printed, and counted, once.
  const printed = new Set<string>();
  for (const file of files) {
    for (const message of sortedMessages(file)) {
      const line = formatMessage(message, settings.root);
      if (printed.has(line)) continue;
      printed.add(line);
      if (message.fatal === true) errors++;
      else warnings++;
      io.stderr.write(`${line}\n`);
      if (message.stack && message.ruleId === 'internal-error') io.stderr.write(`${message.stack}\n`);
    }
  }
  const built = summary.results.filter((result) => result.status === 'built').length;
  const upToDate = summary.results.filter((result) => result.status === 'up-to-date').length;
  const failed = summary.results.filter((result) => result.status === 'failed').length;
  const configBroken = settings.configFile.messages.some((message) => message.fatal === true);
  const runErrors = summary.runFiles.some((file) => file.messages.some((message) => message.fatal === true));
  const total = summary.results.length;
  const parts =
    built === 0 && failed === 0 && total > 0
      ? [`All ${total} brief${total === 1 ? ' is' : 's are'} up to date (checked in ${seconds(summary.durationMs)}); --force rebuilds them`]
      : [`Built ${built} of ${total} brief${total === 1 ? '' : 's'} in ${seconds(summary.durationMs)}`];
  if (upToDate && built + failed > 0) parts.push(`${upToDate} up to date`);
  if (failed) parts.push(`${failed} failed`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (configBroken) parts.push(`${relative(settings.root, settings.configFile.path)} has errors: nothing was built`);
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  io.stdout.write(`${parts.join('; ')}.\n`);
  return failed > 0 || runErrors ? EXIT.failed : EXIT.ok;
}

/** A duration as people read it: "640 ms", "1.6 s". */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
