import { join } from 'node:path';
import { createMarkdownProcessor, renderMarkdown, type MarkdownOptions } from '../../scripts/pipeline/markdown.ts';
import { briefMatterSchema } from '../../scripts/pipeline/schema.ts';
import { TOOL_ROOT } from '../../scripts/paths.ts';

export const markdownOptions: MarkdownOptions = {
  allowedRoots: [join(TOOL_ROOT, 'tests', 'fixtures'), join(TOOL_ROOT, 'templates')],
  maxImageBytes: 1024 * 1024,
  maxDataBytes: 64 * 1024,
  fetchTimeoutMs: 2000,
  maxDepth: 48,
};
const processor = createMarkdownProcessor(markdownOptions);

export interface RenderOptions {
  name?: string;
  labels?: Record<string, string>;
  trustHtml?: boolean;
  allowRemote?: string[];
  lang?: string;
  print?: boolean;
  chartTheme?: Record<string, unknown>;
  check?: boolean;
}

/**
 * Renders Markdown as a brief's body, as if it were tests/fixtures/<name>, with the same function
 * the Markdown workers run. `messages` are "line:column reason (rule)".
 */
export async function renderBody(markdown: string, options: RenderOptions = {}) {
  const result = await renderMarkdown(
    processor,
    {
      path: join(TOOL_ROOT, 'tests', 'fixtures', options.name ?? 'brief.md'),
      value: markdown,
      matter: briefMatterSchema.parse({ title: 'Test', lang: options.lang ?? 'en' }),
      labels: options.labels ?? { figure: 'Figure {n}.', table: 'Table {n}.', notes: 'Notes', callout_note: 'Note', callout_warning: 'Warning' },
      trustHtml: options.trustHtml ?? false,
      allowRemote: options.allowRemote ?? [],
      print: options.print ?? false,
      chartTheme: options.chartTheme,
      check: options.check ?? false,
    },
    markdownOptions,
  );
  return {
    ...result,
    file: { data: { headings: result.headings, keyPointsHtml: result.keyPointsHtml ?? undefined, dependencies: result.dependencies } },
    messages: result.messages.map((message) => `${message.line}:${message.column} ${message.reason} (${message.ruleId})`),
  };
}
