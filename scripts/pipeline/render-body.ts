import type { VFile } from 'vfile';
import type { BriefJob } from './discover.ts';
import type { Labels } from './file-data.ts';
import type { MarkdownPool } from './markdown-pool.ts';
import type { RenderResult } from './markdown.ts';
import { report } from './messages.ts';
import type { BriefMatter } from './schema.ts';
import type { Settings } from './settings.ts';

/**
 * Renders a brief's Markdown body to HTML in a worker thread (markdown.ts), with what the brief
 * and brief.config.yaml allow (raw HTML, remote images) and the template's chart theme, and puts
 * the worker's messages on the brief's file with their places (and files, for problems in a
 * bibliography).
 */
export async function renderBody(pool: MarkdownPool, job: BriefJob, file: VFile, matter: BriefMatter, labels: Labels, chartTheme: Record<string, unknown> | undefined, settings: Settings): Promise<RenderResult> {
  const rendered = await pool.render({
    path: job.source,
    root: settings.root,
    value: bodyText(file),
    // The house citation style of brief.config.yaml, unless the brief names its own.
    matter: { ...matter, csl: matter.csl ?? settings.config.csl },
    labels,
    chartTheme,
    trustHtml: trustsHtml(matter, settings),
    allowRemote: matter.allow_remote ?? settings.config.allow_remote ?? [],
    print: settings.formats.has('pdf'),
    check: settings.check !== undefined,
    notes: matter.notes ?? settings.config.notes ?? 'footnotes',
    titleFromHeading: file.data.titleFromHeading === true,
  });
  for (const message of rendered.messages) {
    const place = message.line ? { start: { line: message.line, column: message.column ?? 1 }, end: message.endLine ? { line: message.endLine, column: message.endColumn ?? 1 } : undefined } : undefined;
    const reported = report(file, message.fatal ? 'error' : 'warning', message.reason, message.ruleId, place);
    // A problem in a file the brief reads (its bibliography) is reported at that file's line.
    if (message.file) reported.file = message.file;
  }
  if (file.data.titleFromHeading) nameUntitled(file, matter, rendered);
  return rendered;
}

/** Whether the brief's raw HTML is trusted (unsafe_html, in front matter or brief.config.yaml): not sanitized, so it may carry script. */
export function trustsHtml(matter: BriefMatter, settings: Settings): boolean {
  return matter.unsafe_html ?? settings.config.unsafe_html ?? false;
}

/**
 * The source as the Markdown stage reads it: Pandoc's title block (read by front-matter.ts) is
 * blanked, lines kept, so it is not printed and positions still count from the file's first line.
 */
function bodyText(file: VFile): string {
  const text = String(file.value);
  if (!text.startsWith('%') || !file.data.frontMatterLines) return text;
  const lines = text.split('\n');
  for (let index = 0; index < file.data.frontMatterLines; index++) lines[index] = '';
  return lines.join('\n');
}

/**
 * A brief without a title of its own is named after its first level-1 heading (taken out of the
 * body by the Markdown stage), else after its file name; a warning says which, and how to set it.
 */
function nameUntitled(file: VFile, matter: BriefMatter, rendered: RenderResult): void {
  const heading = rendered.headingTitle;
  if (heading) {
    matter.title = heading.text;
    report(file, 'warning', `The brief has no front matter, so its title "${heading.text}" is taken from its first heading. To set the title and the other fields, start the file with front matter: ---, title: ${heading.text}, ---.`, 'no-front-matter', { line: heading.line, column: heading.column });
  } else {
    report(file, 'warning', `The brief has no title, so it is named "${matter.title}" after its file name. Give it a first line "# Title", or front matter: ---, title: …, ---.`, 'no-front-matter', { line: 1, column: 1 });
  }
}
