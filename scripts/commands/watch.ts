import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Io } from '../cli.ts';
import { EXIT } from '../errors.ts';
import type { BriefResult } from '../pipeline/build.ts';
import { VFile } from 'vfile';
import { readFrontMatter } from '../pipeline/front-matter.ts';
import { formatMessage, report, sortedMessages } from '../pipeline/messages.ts';
import type { Settings } from '../pipeline/settings.ts';
import { watchBriefs } from '../pipeline/watch.ts';
import { startPreviewServer, type BriefState } from '../preview/server.ts';
import { parseCommandLine, parseInteger } from './args.ts';
import { printSummary, progressPrinter } from './build.ts';

export const WATCH_HELP = `Usage: npm run watch -- [files or folders…] [options]

Builds once, then rebuilds what each change affects: a brief when its Markdown changes, every
brief of a template when a template file changes, the briefs using an image when it changes,
everything when brief.config.yaml changes. A preview server on 127.0.0.1 shows each brief as
HTML and as PDF and reloads it when it is rebuilt. A broken edit is reported (here and in the
preview) and the last good output stays. Ctrl-C stops, closing Chrome.

Options:
  --out DIR     output folder (default: output)
  --port N      preview server port on 127.0.0.1 (default: 4100; 0 picks a free one)
  -h, --help    show this help`;

/** `npm run watch`: watch, rebuild, preview. Runs until Ctrl-C (the io's signal). */
export async function watchCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { out: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(`${WATCH_HELP}\n`);
    return EXIT.ok;
  }
  const port = parseInteger('port', values.port, 0, 65535) ?? 4100;
  const build = { inputs: positionals, out: values.out };
  const { resolveSettings } = await import('../pipeline/settings.ts');
  const initial = await resolveSettings(build, { cwd: io.cwd, env: io.env });
  const server = await startPreviewServer({ port, outDir: initial.outDir });
  const versions = new Map<string, number>();
  let settings = initial;
  let progress = progressPrinter(settings, io);
  try {
    await watchBriefs({
      build,
      cwd: io.cwd,
      env: io.env,
      signal: io.signal,
      onBuildEvent: (event) => progress.onEvent(event),
      onEvent: async (event) => {
        switch (event.type) {
          case 'ready':
            io.stdout.write(`Watching ${event.watched.join(', ')} — preview at ${server.url} (Ctrl-C to stop)\n`);
            break;
          case 'changed':
            io.stdout.write(`\nChanged: ${event.paths.join(', ')} → ${event.briefs} brief${event.briefs === 1 ? '' : 's'} to rebuild\n`);
            break;
          case 'built':
            settings = event.settings;
            progress.done();
            progress = progressPrinter(settings, io);
            if (event.summary.results.length > 0 || event.summary.runFiles.length > 0) printSummary(event.summary, event.settings, io);
            for (const id of event.summary.removed) {
              io.stdout.write(`Removed the outputs of ${id}: its source is gone.\n`);
              server.remove(id);
            }
            for (const result of event.summary.results) server.update(await stateOf(result, event.settings, versions));
            break;
          case 'loop': {
            const file = new VFile({ path: event.path });
            report(file, 'error', `Symbolic link loop (${relative(settings.root, event.path)} -> ${event.target}): not watched, not built. Remove the link, or point it at a file or at a folder outside this one.`, 'symlink-loop');
            for (const message of file.messages) io.stderr.write(`${formatMessage(message, settings.root)}\n`);
            break;
          }
          case 'error':
            io.stderr.write(`brief: ${event.error instanceof Error ? event.error.message : String(event.error)}\n`);
            break;
        }
      },
    });
  } finally {
    await server.close();
  }
  io.stdout.write('Stopped watching; Chrome closed.\n');
  return EXIT.ok;
}

/** A brief as the preview shows it after a build. */
async function stateOf(result: BriefResult, settings: Settings, versions: Map<string, number>): Promise<BriefState> {
  const { job, outcome, status } = result;
  if (status === 'built' || !versions.has(job.id)) versions.set(job.id, Date.now());
  const title = outcome.file.data.matter?.title ?? (await titleOf(job.source)) ?? job.id;
  const output = (path: string) => (existsSync(path) ? relative(settings.outDir, path).split('\\').join('/') : null);
  return {
    id: job.id,
    title,
    source: relative(settings.root, job.source),
    html: output(job.outputs.html),
    pdf: output(job.outputs.pdf),
    status,
    messages: sortedMessages(outcome.file).map((message) => formatMessage(message, settings.root)),
    version: versions.get(job.id)!,
  };
}

/** The title of a brief's front matter, without building it (for briefs that were up to date). */
async function titleOf(source: string): Promise<string | undefined> {
  const file = new VFile({ path: source, value: await readFile(source, 'utf8').catch(() => '') });
  return readFrontMatter(file)?.title;
}
