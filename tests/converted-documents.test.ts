import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { renderBody } from './helpers/markdown.ts';
import { brief, createProject, type CliResult, type TempProject } from './helpers/project.ts';

const run = promisify(execFile);
const squash = (html: string) => html.replace(/>\n+</g, '><');

describe('image sizes with Pandoc\'s attribute syntax', () => {
  it('sizes an image with {width=…} and keeps it a figure', async () => {
    const { html, messages } = await renderBody('![Map](map.png "Bases"){width=60%}\n');
    expect(messages).toEqual([]);
    expect(html).toMatch(/<figure class="figure" id="figure-1"><img src="data:image\/png;base64,[^"]+" alt="Map" style="width: 60%"><figcaption>/);
  });

  it('takes Pandoc\'s quoted inches, keeps proportions with both sizes, pixels for bare numbers', async () => {
    expect((await renderBody('![Map](map.png){width="6.5in" height="3.25in"}\n')).html).toContain('style="width: 6.5in; aspect-ratio: 6.5 / 3.25; height: auto"');
    expect((await renderBody('![Map](map.png){height=200}\n')).html).toContain('style="height: 200px; width: auto"');
  });

  it('keeps a size written in the same block as a cross-reference label', async () => {
    const { html, messages } = await renderBody('![Map](map.png "Bases"){#fig-map width=40%}\n\nSee @fig-map.\n');
    expect(messages).toEqual([]);
    expect(html).toMatch(/<img src="data:image\/png;base64,[^"]+" alt="Map" style="width: 40%">/);
  });

  it('reads the block before typography: its quotes and dashes stay as written, the text after it is set', async () => {
    const { html, messages } = await renderBody('![Map](map.png){width="60%" .full--bleed} "Bases" -- 2024\n');
    expect(html).toMatch(/<img src="data:image\/png;base64,[^"]+" alt="Map" style="width: 60%"> “Bases” – 2024/);
    expect(html).not.toMatch(/[{}]/);
    expect(messages).toEqual(['1:16 Image attribute ".full--bleed" is ignored: images take only {width=…} and {height=…}. (image-size)']);
  });

  it('warns about a size it cannot use and other attributes, at their place', async () => {
    const { html, messages } = await renderBody('Text.\n\n![Map](map.png){width=huge .wide}\n');
    expect(html).not.toContain('style=');
    expect(html).not.toContain('{');
    expect(messages).toEqual([
      '3:16 Image size width=huge is not a length brief can use: write a number with %, px, in, cm, mm or pt, such as {width=60%}. (image-size)',
      '3:16 Image attribute ".wide" is ignored: images take only {width=…} and {height=…}. (image-size)',
    ]);
  });
});

describe('what the sanitizer drops, it reports', () => {
  it('reports style attributes, other attributes and classes once per kind, with the lines of the others', async () => {
    const { html, messages } = await renderBody('<p style="color:red">One</p>\n\n<p style="color:blue" class="lead" data-x="1">Two</p>\n\n<div style="margin:0">Three</div>\n');
    expect(html).not.toContain('style=');
    expect(messages).toEqual([
      '1:1 Attribute style="…" removed from <p>: a brief takes its look from the template. Size an image with ![alt](file.png){width=50%}. The same for 2 more, on lines 3, 5. (unsafe-html)',
      '3:1 Class "lead" removed from <p>: raw HTML keeps only the classes of brief\'s own blocks. (unsafe-html)',
      '3:1 Attribute data-x="…" removed from <p>: raw HTML keeps only the attributes briefs allow. (unsafe-html)',
    ]);
  });

  it('says nothing about what it keeps: links, images with sizes, alignment, abbreviations, language spans', async () => {
    const { messages } = await renderBody('<p align="center"><a href="https://example.org/" title="x">link</a> <img src="map.png" alt="Map" width="40"> <abbr title="Japan">JP</abbr> <span lang="ja">日本</span></p>\n\n| a |\n|:-:|\n| b |\n\n- [x] done\n\n```js\nx\n```\n\nNote.[^1]\n\n[^1]: Text.\n');
    expect(messages).toEqual([]);
  });
});

describe('Markdown that Pandoc made from a Word document', () => {
  let project: TempProject;
  let result: CliResult;
  let markdown: string;
  beforeAll(async () => {
    project = await createProject();
    await project.write('word/map.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
    await project.write('word/report.md', '---\ntitle: Converted Report\n---\n\n# Background\n\nText.\n\n## Detail\n\n| Year | Value |\n|:--|--:|\n| 2008 | 1 |\n\nTable: Values by year\n\n![U.S. bases in Japan](map.png){width=50%}\n\n# Findings\n\nMore.\n');
    await run('pandoc', ['report.md', '-o', 'report.docx'], { cwd: join(project.root, 'word') });
    await project.write('source/.keep', '');
    await run('pandoc', ['../word/report.docx', '-t', 'markdown-simple_tables-multiline_tables-grid_tables', '--extract-media=.', '-s', '-o', 'report.md'], { cwd: join(project.root, 'source') });
    markdown = await project.read('source/report.md');
    result = await project.run(['build', '--format', 'html']);
  });
  afterAll(() => project.remove());

  it('is what Pandoc writes: level-1 sections, sizes in braces, the caption as a paragraph', () => {
    expect(markdown).toContain('# Background');
    expect(markdown).toMatch(/\{width="[\d.]+in"/);
    expect(markdown).toMatch(/\n\nU\.S\. bases in Japan\n/);
  });

  it('builds with its outline under the title, its figure captioned and sized, its table captioned', async () => {
    expect(result.stderr).not.toContain(' error ');
    expect(result.code).toBe(0);
    const html = squash(await project.read('output/report.html'));
    expect(html).toContain('<h2 id="background">Background</h2>');
    expect(html).toContain('<h3 id="detail">Detail</h3>');
    expect(html).toMatch(/<figure class="figure" id="figure-1"><img src="data:image\/png;base64,[^"]+" alt="U.S. bases in Japan" style="width: [\d.]+in; aspect-ratio: [\d.]+ \/ [\d.]+; height: auto"><figcaption><span class="figure-label">Figure 1\.<\/span> U\.S\. bases in Japan<\/figcaption><\/figure>/);
    expect(html).not.toContain('<p>U.S. bases in Japan</p>');
    expect(html).toContain('<span class="table-label">Table 1.</span> Values by year</caption>');
  });
});

describe('a sized image in the PDF', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await createProject({ 'source/half.md': brief('![Map](tall.png "Half"){width=50%}\n'), 'source/full.md': brief('![Map](tall.png "Full"){width=100%}\n') });
    await project.write('source/tall.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'tall.png')));
    const result = await project.run(['build', '--format', 'pdf']);
    expect(result.code).toBe(0);
  });
  afterAll(() => project.remove());

  it('prints half as wide at width=50% as at width=100%', async () => {
    const ppi = async (name: string) => {
      const { stdout } = await run('pdfimages', ['-list', join(project.root, 'output', name)]);
      const row = stdout.split('\n').find((line) => /^\s*1\s+\d+\s+image/.test(line))!;
      return Number(row.trim().split(/\s+/)[12]);
    };
    // pdfimages rounds the resolution to whole pixels per inch.
    const ratio = (await ppi('half.pdf')) / (await ppi('full.pdf'));
    expect(ratio).toBeGreaterThan(1.85);
    expect(ratio).toBeLessThan(2.15);
  });
});
