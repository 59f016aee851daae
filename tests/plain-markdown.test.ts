import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBody } from './helpers/markdown.ts';
import { pdfInfo, pdfText } from './helpers/pdf.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';

const README = `[![npm](https://img.shields.io/npm/v/widget.svg)](https://npmjs.com/widget) [![build](https://img.shields.io/badge/build-passing-green.svg)](https://ci.example/)

# Widget Maker

Makes widgets from Markdown.

## Install

\`\`\`sh
npm install widget-maker
\`\`\`

## Usage

Call \`make()\`.

# License

MIT
`;

const messagesOf = (result: CliResult, name: string) => result.stderr.split('\n').filter((line) => line.startsWith(`source/${name}:`)).map((line) => line.slice(`source/${name}:`.length));

describe('plain Markdown, without front matter', () => {
  let project: TempProject;
  let result: CliResult;
  beforeAll(async () => {
    project = await createProject({
      'source/widget-maker.md': README,
      'source/no-heading_notes.md': 'Just a paragraph.\n\n## A section\n\nText.\n',
      'source/titled.md': '---\ntitle: Trade Policy\ndate: 2024-05-01\n---\n\n# Trade policy\n\n## Overview\n\nText.\n',
      'source/pandoc.md': '% Pandoc Title\n% Jane Analyst; John Writer\n% 2024-05-01\n\n## Overview\n\nText.\n',
      'source/pandoc-dots.md': '---\ntitle: Ends With Dots\n...\n\n## Overview\n\nText.\n',
    });
    // Printed only where a test reads the PDF (the README's title and text, Pandoc's authors); the others as handouts.
    const printed = await project.run(['build', '--format', 'html,pdf', 'source/widget-maker.md', 'source/pandoc.md']);
    const handouts = await project.run(['build', '--format', 'html', 'source/no-heading_notes.md', 'source/titled.md', 'source/pandoc-dots.md']);
    result = { code: Math.max(printed.code, handouts.code), stdout: printed.stdout + handouts.stdout, stderr: printed.stderr + handouts.stderr };
  });
  afterAll(() => project.remove());

  it('builds a README: its first heading is the title, printed once, in the HTML and the PDF', async () => {
    expect(result.code).toBe(0);
    const html = await project.read('output/widget-maker.html');
    expect(html).toContain('<title>Widget Maker</title>');
    expect(html.match(/Widget Maker<\/h1>/g)).toHaveLength(1);
    expect((await pdfInfo(join(project.root, 'output', 'widget-maker.pdf'))).Title).toBe('Widget Maker');
    const text = await pdfText(join(project.root, 'output', 'widget-maker.pdf'));
    expect(text).toContain('Makes widgets from Markdown.');
  });

  it('says where the title came from and how to set it, once, and summarises the badges', () => {
    expect(messagesOf(result, 'widget-maker.md')).toEqual([
      '1:2 warning Remote image "https://img.shields.io/npm/v/widget.svg" is not fetched: img.shields.io is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml. The same for 1 more. (remote-image)',
      '3:1 warning The brief has no front matter, so its title "Widget Maker" is taken from its first heading. To set the title and the other fields, start the file with front matter: ---, title: Widget Maker, ---. (no-front-matter)',
    ]);
  });

  it('makes a # heading after ## sections a section like the others', async () => {
    const html = await project.read('output/widget-maker.html');
    expect(html).toContain('<h2 id="license">License</h2>');
    expect(html).toContain('<h2 id="install">Install</h2>');
  });

  it('names a brief with no level-1 heading after its file name, and says so', async () => {
    expect(await project.read('output/no-heading_notes.html')).toContain('<title>No heading notes</title>');
    expect(messagesOf(result, 'no-heading_notes.md')).toEqual(['1:1 warning The brief has no title, so it is named "No heading notes" after its file name. Give it a first line "# Title", or front matter: ---, title: …, ---. (no-front-matter)']);
  });

  it('does not repeat a leading # Title equal to the front matter\'s title', async () => {
    const html = await project.read('output/titled.html');
    expect(html).not.toMatch(/<h[1-6][^>]*>Trade policy<\/h/);
    expect(html).toContain('<h2 id="overview">Overview</h2>');
    expect(messagesOf(result, 'titled.md')).toEqual([]);
  });

  it('reads Pandoc\'s title block and its "..." end of front matter', async () => {
    const pandoc = await project.read('output/pandoc.html');
    expect(pandoc).toContain('<title>Pandoc Title</title>');
    expect(pandoc).toContain('2024');
    expect(pandoc).not.toContain('% Pandoc Title');
    expect(messagesOf(result, 'pandoc.md')).toEqual([]);
    expect((await pdfInfo(join(project.root, 'output', 'pandoc.pdf'))).Author).toBe('Jane Analyst, John Writer');
    expect(await project.read('output/pandoc-dots.html')).toContain('<title>Ends With Dots</title>');
  });
});

describe('the title heading in the Markdown stage', () => {
  it('moves a body whose outline starts at level 1 down a level, keeping its shape (Word documents)', async () => {
    const { html } = await renderBody('# Another heading\n\n## Sub\n');
    expect(html).toContain('<h2 id="another-heading">Another heading</h2>');
    expect(html).toContain('<h3 id="sub">Sub</h3>');
  });

  it('takes a setext title too, and leaves what comes before it', async () => {
    const { html } = await renderBody('Intro line.\n\nTest\n====\n\nBody.\n');
    expect(html).toContain('<p>Intro line.</p>');
    expect(html).not.toContain('<h');
  });
});
