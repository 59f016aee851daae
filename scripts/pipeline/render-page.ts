import type { VFile } from 'vfile';
import { reportTemplateError, type Template } from './template.ts';
import { buildView, type ViewInput } from './view.ts';

/**
 * Renders the template around a brief's body for one target: the handout, the page Chrome
 * prints, or the draft whose fonts are subset. A template's own mistake is reported on the brief
 * at the template's file, line and column, and gives undefined.
 */
export function renderPage(template: Template, file: VFile, input: ViewInput): string | undefined {
  try {
    return template.render(buildView(input));
  } catch (error) {
    reportTemplateError(file, error);
    return undefined;
  }
}
