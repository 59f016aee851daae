import { join } from 'node:path';
import { VFile } from 'vfile';
import { createMarkdownProcessor } from '../../scripts/pipeline/markdown.ts';
import { TOOL_ROOT } from '../../scripts/paths.ts';

const processor = createMarkdownProcessor({ allowedRoots: [join(TOOL_ROOT, 'tests', 'fixtures'), join(TOOL_ROOT, 'templates')] });

/** Renders Markdown as a brief's body, as if it were tests/fixtures/<name>. */
export async function renderBody(markdown: string, options: { name?: string; labels?: Record<string, string>; trustHtml?: boolean } = {}) {
  const file = new VFile({ path: join(TOOL_ROOT, 'tests', 'fixtures', options.name ?? 'brief.md'), value: markdown });
  file.data.labels = options.labels ?? { figure: 'Figure {n}.', table: 'Table {n}.', notes: 'Notes', callout_note: 'Note', callout_warning: 'Warning' };
  file.data.trustHtml = options.trustHtml ?? false;
  const tree = await processor.run(processor.parse(file), file);
  return { html: processor.stringify(tree, file), file, messages: file.messages.map((message) => `${message.line}:${message.column} ${message.reason} (${message.ruleId})`) };
}
