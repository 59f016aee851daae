import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { VFile } from 'vfile';
import type { BrowserPool } from '../pipeline/browser.ts';
import { report } from '../pipeline/messages.ts';
import { TOOL_ROOT } from '../paths.ts';

/** One axe-core violation at one element. */
interface Finding {
  rule: string;
  help: string;
  impact: string | null;
  target: string;
  mark: string | null;
}

/** The WCAG 2.0, 2.1 and 2.2 rules at levels A and AA, and axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
/** Elements reported for one axe rule, at most; the rest are counted. */
const MAX_PER_RULE = 5;

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core on the HTML handout in Chromium (JavaScript on for axe, every request still
 * refused) and reports each violation at the place in the source of the element it found
 * (`html` is the handout with data-brief-line marks; the marks change nothing axe looks at).
 */
export async function auditHandout(file: VFile, browser: BrowserPool, handout: { url: string; html: string; trusted: boolean }): Promise<void> {
  axeSource ??= readFile(join(createRequire(join(TOOL_ROOT, 'package.json')).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
  const source = await axeSource;
  const findings = handout.trusted ? await auditAlone(browser, handout, source) : await browser.withPage(async (job) => {
    // A sanitized handout runs no script: it is written into a page that has run axe's source
    // once (page script on for it), and axe runs on it; print pages keep their documents and fonts.
    await job.load(`${job.origin}${handout.url}`, handout.html, '');
    return await job.page.evaluate(runAxe, { tags: AXE_TAGS });
  }, { script: source });
  const byRule = new Map<string, Finding[]>();
  for (const finding of findings) byRule.set(finding.rule, [...(byRule.get(finding.rule) ?? []), finding]);
  for (const [rule, found] of byRule) {
    for (const finding of found.slice(0, MAX_PER_RULE)) {
      const match = finding.mark ? /^(\d+):(\d+)$/.exec(finding.mark) : null;
      const more = found.length > MAX_PER_RULE && finding === found[MAX_PER_RULE - 1] ? `; and ${found.length - MAX_PER_RULE} more like it` : '';
      report(file, 'warning', `axe ${rule}${finding.impact ? ` (${finding.impact})` : ''}: ${finding.help}, at ${finding.target}${match ? '' : ' (in the template)'}${more}.`, 'axe', match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 });
    }
  }
}

/**
 * A trusted handout (unsafe_html) may run script of its own, as it would for a reader, and a
 * script could change what a page keeps from one document to the next (axe itself): it is loaded
 * in a window of its own, and axe is added after its scripts have run. Measured: a trusted brief
 * whose script replaced axe.run, audited in the page that audits the others, hid the contrast
 * errors of 2 of 6 other briefs.
 */
async function auditAlone(browser: BrowserPool, handout: { url: string; html: string }, source: string): Promise<Finding[]> {
  return browser.withPage(async (job) => {
    await job.page.setJavaScriptEnabled(true);
    try {
      // No fonts given: the page navigates to the handout (a fresh window, its own fonts inline).
      await job.load(`${job.origin}${handout.url}`, handout.html, '');
      await job.page.evaluate(source);
      return await job.page.evaluate(runAxe, { tags: AXE_TAGS });
    } finally {
      await job.page.setJavaScriptEnabled(false);
    }
  });
}

/** In the page: axe over the whole document, each violating element with its source mark. */
async function runAxe({ tags }: { tags: string[] }): Promise<Finding[]> {
  const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; help: string; impact?: string | null; nodes: { target: unknown[] }[] }[] }> } }).axe;
  const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => {
      const selector = node.target.map(String).join(' ');
      let element: Element | null = null;
      try {
        element = document.querySelector(String(node.target.at(-1)));
      } catch {
        element = null;
      }
      // Named by tag, class and text: axe's own selector shows the checking marks.
      const text = (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const className = element?.getAttribute('class')?.trim().split(/\s+/)[0];
      const target = element ? `<${element.tagName.toLowerCase()}${className ? ` class="${className}"` : ''}>${text ? ` "${text.length > 40 ? `${text.slice(0, 39)}…` : text}"` : ''}` : selector;
      return { rule: violation.id, help: violation.help, impact: violation.impact ?? null, target, mark: element?.closest('[data-brief-line]')?.getAttribute('data-brief-line') ?? null };
    }),
  );
}
