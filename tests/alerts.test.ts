import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { loadTemplate } from '../scripts/pipeline/template.ts';
import { renderBody } from './helpers/markdown.ts';
import { pdfText } from './helpers/pdf.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';

const template = await loadTemplate(join(TOOL_ROOT, 'templates'), 'policy-brief');
const en = template.labels('en');
const ja = template.labels('ja');

/** HTML without the line breaks between tags, which carry no meaning here. */
const squash = (html: string) => html.replace(/>\n+</g, '><');

const ALL = ['NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION'].map((type) => `> [!${type}]\n> About ${type.toLowerCase()}.\n`).join('\n');

describe('GitHub alerts', () => {
  it('become the template\'s callouts, all five types, titled in English', async () => {
    const { html: raw, messages } = await renderBody(ALL, { labels: en });
    const html = squash(raw);
    expect(messages).toEqual([]);
    expect(html).toContain('<aside class="callout callout-note" aria-label="Note"><p class="callout-title">Note</p><p>About note.</p></aside>');
    expect(html).toContain('<aside class="callout callout-tip" aria-label="Tip"><p class="callout-title">Tip</p>');
    expect(html).toContain('<aside class="callout callout-important" aria-label="Important"><p class="callout-title">Important</p>');
    expect(html).toContain('<aside class="callout callout-warning" aria-label="Warning"><p class="callout-title">Warning</p>');
    expect(html).not.toContain('[!');
    expect(html).not.toContain('<blockquote>');
  });

  it('styles a caution as a warning, with its own class for templates that style it apart', async () => {
    const html = squash((await renderBody('> [!CAUTION]\n> Do not.\n', { labels: en })).html);
    expect(html).toContain('<aside class="callout callout-warning callout-caution" aria-label="Caution"><p class="callout-title">Caution</p><p>Do not.</p></aside>');
  });

  it('names each box for screen readers, numbering repeated titles, alerts and ::: blocks together', async () => {
    const html = squash((await renderBody('> [!NOTE]\n> One.\n\n:::callout{type=note}\nTwo.\n:::\n\n> [!TIP]\n> Three.\n', { labels: en })).html);
    expect(html).toContain('<aside class="callout callout-note" aria-label="Note 1">');
    expect(html).toContain('<aside class="callout callout-note" aria-label="Note 2">');
    expect(html).toContain('<aside class="callout callout-tip" aria-label="Tip">');
  });

  it('titles them in Japanese in a Japanese edition', async () => {
    const { html } = await renderBody(ALL, { labels: ja, lang: 'ja' });
    for (const title of ['注記', 'ヒント', '重要', '注意', '警告']) expect(html).toContain(`<p class="callout-title">${title}</p>`);
  });

  it('accepts lower case, text on the following paragraphs, and a title after the marker', async () => {
    const { html: raw } = await renderBody('> [!tip]\n>\n> First.\n>\n> - a list\n\n> [!NOTE] Before you start\n> Read this.\n', { labels: en });
    const html = squash(raw);
    expect(html).toContain('<aside class="callout callout-tip" aria-label="Tip"><p class="callout-title">Tip</p><p>First.</p><ul>');
    expect(html).toContain('<aside class="callout callout-note" aria-label="Before you start"><p class="callout-title">Before you start</p><p>Read this.</p>');
  });

  it('keeps an unknown [!TYPE] as a quote, with a warning at its line', async () => {
    const { html, messages } = await renderBody('Text.\n\n> [!DANGER]\n> Hot.\n', { labels: en });
    expect(html).toContain('<blockquote>');
    expect(messages).toEqual(['3:3 Unknown alert "[!DANGER]"; it is kept as a quote. Alerts: [!NOTE], [!TIP], [!IMPORTANT], [!WARNING], [!CAUTION]. (unknown-directive)']);
  });

  it('leaves ordinary quotes and a [!NOTE] that does not start a quote alone', async () => {
    const { html, messages } = await renderBody('> A quote.\n\nSee [!NOTE] in the text.\n', { labels: en });
    expect(html).toContain('<blockquote>\n<p>A quote.</p>\n</blockquote>');
    expect(html).toContain('See [!NOTE] in the text.');
    expect(messages).toEqual([]);
  });

  it('accepts caution as a :::callout type too', async () => {
    const { html, messages } = await renderBody(':::callout{type=caution}\nCareful.\n:::\n', { labels: en });
    expect(messages).toEqual([]);
    expect(html).toContain('<aside class="callout callout-warning callout-caution" aria-label="Caution"><p class="callout-title">Caution</p>');
  });
});

describe('GitHub alerts in a built brief', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await createProject({ 'source/alerts.md': brief(`## Alerts\n\n${ALL}`), 'source/alerts.ja.md': brief(`## 注意事項\n\n${ALL}`, { lang: 'ja' }) });
  });
  afterAll(() => project.remove());

  it('print as callouts in the handout and the PDF, never as "[!NOTE]"', async () => {
    const result = await project.run(['build', '--format', 'html,pdf']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const html = squash(await project.read('output/alerts.html'));
    expect(html).toContain('<aside class="callout callout-important" aria-label="Important"><p class="callout-title">Important</p>');
    expect(html).not.toContain('[!');
    const text = await pdfText(join(project.root, 'output', 'alerts.pdf'));
    expect(text).not.toContain('[!');
    for (const line of ['NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION']) expect(text).toMatch(new RegExp(`^${line}$`, 'mi'));
    const japanese = await pdfText(join(project.root, 'output', 'alerts.ja.pdf'));
    expect(japanese).toContain('警告');
    expect(japanese).not.toContain('[!');
  });
});
