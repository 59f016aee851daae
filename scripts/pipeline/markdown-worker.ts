import { createMarkdownProcessor, renderMarkdown, type MarkdownOptions, type MarkdownProcessor, type RenderResult, type RenderTask } from './markdown.ts';

/**
 * The Markdown stage in a worker thread (run by markdown-pool.ts): the processor is built once per
 * worker and reused for every brief it renders. A brief that takes too long is stopped by
 * terminating the worker, which only a thread allows.
 */
let processor: MarkdownProcessor | undefined;
let built: string | undefined;

export default async function render({ task, options }: { task: RenderTask; options: MarkdownOptions }): Promise<RenderResult> {
  const key = JSON.stringify(options);
  if (!processor || built !== key) {
    processor = createMarkdownProcessor(options);
    built = key;
  }
  return renderMarkdown(processor, task, options);
}
