import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../scripts/cli.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { briefMatterSchema, configSchema } from '../scripts/pipeline/schema.ts';
import { buildView, type ViewInput } from '../scripts/pipeline/view.ts';
import { contrastRatio } from '../scripts/check/check-brand.ts';
import { createProject, type TempProject } from './helpers/project.ts';
import { pdfInfo, pdfText } from './helpers/pdf.ts';
import { samples } from './helpers/samples.ts';

/**
 * The house look: authors and the citation, branding from brief.config.yaml (logo, colors,
 * running header and footer), typography (quotes, dashes, hyphenation, line length) and broken
 * tables, read back from real PDFs and handouts. One project, built once: the trade brief as
 * handout and PDF, the Japanese one as a handout (only its text is read); the line length is
 * measured on the seed as the shared samples printed it (tests/helpers/samples.ts).
 */
const run = promisify(execFile);
const BRAND_PRIMARY = '#7a1f3d';
let project: TempProject;

const rows = Array.from({ length: 60 }, (_, index) => `| ${2000 + index} | North Carolina analysis of regional manufacturing | ${(1000 + index * 37).toLocaleString('en-US')} | ${(index * 1.7).toFixed(1)}% |`).join('\n');
const narrow = Array.from({ length: 4 }, () => '| Characterization | Internationalization | Telecommunications | Responsibilities | Administration | Understanding |').join('\n');

const trade = `---
title: Japan's "Free From" Trade Policy
organization: House Institute
number: 12
date: 2024-05-01
authors:
  - name: Emma Chanlett-Avery
    title: Specialist in Asian Affairs
    email: echanlett@example.org
  - name: Ian E. Rinehart
    title: Analyst in Asian Affairs
    orcid: 0000-0002-1825-0097
---

## Overview

Japan's policy is "free from" interference -- mostly... See \`don't "touch" -- code\` and https://example.org/a--b for more; the relationship---so it goes.

:::pullquote
Japan is one of the United States' most important economic partners.
:::

## Cells

| Analysis | Organization | Communication | Characteristics | Administrative | Circumstances |
|---|---|---|---|---|---|
${narrow}

## Trade

Table: Manufacturing by year

| Year | Series | Jobs | Change |
|-----:|--------|-----:|-------:|
${rows}

## After

Some text after the table.
`;

const japanese = `---
title: 日米関係
organization: 在日米国大使館
lang: ja
date: 2009-09
---

## 概要

鳩山首相は「友愛」を掲げ、"対等な日米関係"を唱えた -- これは 'EAST' の構想である...
`;

beforeAll(async () => {
  project = await createProject();
  await project.write('brief.config.yaml', `brand:\n  logo:\n    src: logo.png\n    alt: House Institute\n  colors:\n    primary: "${BRAND_PRIMARY}"\n    accent: "#1d5c4b"\n  fonts:\n    headings: "@fontsource/ibm-plex-sans"\n`);
  await project.write('logo.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
  await project.write('source/trade.md', trade);
  await project.write('source/ja.md', japanese);
  const result = await project.run(['build', 'source/trade.md']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  const handout = await project.run(['build', 'source/ja.md', '--format', 'html']);
  expect(handout.code, handout.stderr).toBe(0);
  expect(handout.stderr).toBe('');
});

afterAll(async () => {
  await project.remove();
});

const output = (name: string) => join(project.root, 'output', name);

describe('authors', () => {
  it('prints a byline on page 1 of the PDF and in the handout', async () => {
    const page1 = await pdfText(output('trade.pdf'), 1);
    expect(page1).toMatch(/Emma Chanlett-Avery\s+Specialist in Asian Affairs/);
    expect(page1).toMatch(/Ian E\. Rinehart\s+Analyst in Asian Affairs/);
    const html = await project.read('output/trade.html');
    expect(html).toMatch(/<ul class="byline"[^>]*>\s*<li class="author"><span class="author-name">Emma Chanlett-Avery<\/span><span class="author-title">Specialist in Asian Affairs<\/span><a class="author-email" href="mailto:echanlett@example.org">/);
    expect(html).toContain('<a class="author-orcid" href="https://orcid.org/0000-0002-1825-0097">');
  });

  it('names them as the PDF Author and in citation_author tags, one tag each', async () => {
    expect((await pdfInfo(output('trade.pdf'))).Author).toBe('Emma Chanlett-Avery and Ian E. Rinehart');
    const html = await project.read('output/trade.html');
    expect(html.match(/<meta name="citation_author" content="[^"]*">/g)).toEqual(['<meta name="citation_author" content="Emma Chanlett-Avery">', '<meta name="citation_author" content="Ian E. Rinehart">']);
  });

  it('prints the series number in the masthead', async () => {
    expect(await pdfText(output('trade.pdf'), 1)).toMatch(/Policy Brief No\. 12/i);
  });

  it('keeps author: as a shorthand for one author', () => {
    const view = buildView(viewInput({ author: 'Political Section' }));
    expect(view.authors).toEqual([{ name: 'Political Section', title: null, affiliation: null, email: null, orcid: null }]);
    expect(view.meta.citation.authors).toEqual(['Political Section']);
  });
});

describe('the suggested citation (Chicago: Authors, “Title,” Series No. N, Organization, Date, URL.)', () => {
  const full = { authors: [{ name: 'Emma Chanlett-Avery' }, { name: 'Ian E. Rinehart' }], number: '12', organization: 'House Institute', date: '2024-05', url: 'https://example.org/b.html' };
  const cite = (matter: Record<string, unknown>, url: string | null = null) => buildView(viewInput(matter, url)).citation;

  it('has every part when every part is known', () => {
    expect(cite(full, full.url)).toBe('Emma Chanlett-Avery and Ian E. Rinehart, “U.S.-Japan Relations,” Policy Brief No. 12, House Institute, May 2024, https://example.org/b.html.');
  });

  it('starts with the title when no author is named', () => {
    expect(cite({ ...full, authors: [] }, full.url)).toBe('“U.S.-Japan Relations,” Policy Brief No. 12, House Institute, May 2024, https://example.org/b.html.');
  });

  it('gives the series alone without a number', () => {
    expect(cite({ ...full, number: undefined }, full.url)).toBe('Emma Chanlett-Avery and Ian E. Rinehart, “U.S.-Japan Relations,” Policy Brief, House Institute, May 2024, https://example.org/b.html.');
  });

  it('leaves out a missing organization, date or address with its comma', () => {
    expect(cite({ ...full, organization: undefined }, full.url)).toBe('Emma Chanlett-Avery and Ian E. Rinehart, “U.S.-Japan Relations,” Policy Brief No. 12, May 2024, https://example.org/b.html.');
    expect(cite({ ...full, date: undefined }, full.url)).toBe('Emma Chanlett-Avery and Ian E. Rinehart, “U.S.-Japan Relations,” Policy Brief No. 12, House Institute, https://example.org/b.html.');
    expect(cite(full)).toBe('Emma Chanlett-Avery and Ian E. Rinehart, “U.S.-Japan Relations,” Policy Brief No. 12, House Institute, May 2024.');
  });

  it('reads “Title,” Series. with only a title', () => {
    expect(cite({})).toBe('“U.S.-Japan Relations,” Policy Brief.');
  });

  it('lists three authors with a serial comma', () => {
    expect(cite({ authors: [{ name: 'A. One' }, { name: 'B. Two' }, { name: 'C. Three' }] })).toBe('A. One, B. Two, and C. Three, “U.S.-Japan Relations,” Policy Brief.');
  });

  it('is written without spaces in Japanese', () => {
    expect(buildView(viewInput({ ...full, lang: 'ja', title: '日米関係', organization: '在日米国大使館' }, null, 'ja')).citation).toBe('Emma Chanlett-Avery、Ian E. Rinehart「日米関係」政策ブリーフ 第12号、在日米国大使館、2024年5月。');
    expect(buildView(viewInput({ lang: 'ja', title: '日米関係' }, null, 'ja')).citation).toBe('「日米関係」政策ブリーフ');
  });
});

describe('branding from brief.config.yaml', () => {
  it('embeds the logo in the handout, with its alt text', async () => {
    const html = await project.read('output/trade.html');
    expect(html).toMatch(/<img class="logo" src="data:image\/png;base64,[^"]+" alt="House Institute">/);
  });

  it('prints the logo on page 1 of the PDF', async () => {
    const { stdout } = await run('pdfimages', ['-list', '-f', '1', '-l', '1', output('trade.pdf')]);
    expect(stdout.trim().split('\n').length - 2, stdout).toBeGreaterThanOrEqual(1);
  });

  it('sets the brand colors as CSS custom properties the template uses', async () => {
    const html = await project.read('output/trade.html');
    expect(html).toContain(`:root{--brand-primary:${BRAND_PRIMARY};--brand-accent:#1d5c4b;--brand-heading-font:`);
    // Printed: the masthead rule and the title are in the house color.
    const { stdout } = await run('pdftoppm', ['-r', '30', '-f', '1', '-l', '1', '-png', output('trade.pdf')], { encoding: 'buffer', maxBuffer: 32 * 1024 * 1024 });
    const png = PNG.sync.read(stdout);
    const [r, g, b] = [0x7a, 0x1f, 0x3d];
    let near = 0;
    for (let index = 0; index < png.data.length; index += 4) {
      if (Math.abs(png.data[index]! - r) + Math.abs(png.data[index + 1]! - g) + Math.abs(png.data[index + 2]! - b) < 40) near++;
    }
    expect(near).toBeGreaterThan(200);
  });

  it('embeds house fonts named by their fontsource package, Japanese falling back to Noto', async () => {
    const { stdout } = await run('pdffonts', [output('trade.pdf')]);
    expect(stdout).toMatch(/\+IBMPlexSans-Bold\s+CID TrueType\s+Identity-H\s+yes/);
    const html = await project.read('output/trade.html');
    expect(html).toContain('--brand-heading-font:"IBM Plex Sans","Noto Sans JP",sans-serif');
    expect(html).toMatch(/@font-face\{font-family:"IBM Plex Sans";font-style:normal;font-weight:700;/);
  });

  it('prints the organization once a page: in the footer, never in the running header', async () => {
    const pdf = output('trade.pdf');
    const pages = Number((await pdfInfo(pdf)).Pages);
    expect(pages).toBeGreaterThan(1);
    for (let page = 2; page <= pages; page++) {
      const band = async (y: number) => (await run('pdftotext', ['-f', String(page), '-l', String(page), '-x', '0', '-y', String(y), '-W', '612', '-H', '60', pdf, '-'])).stdout;
      expect(await band(0), `header of page ${page}`).not.toContain('House Institute');
      expect(await band(732), `footer of page ${page}`).toContain('House Institute');
    }
  });
});

describe('typography', () => {
  it('sets typographic quotes, apostrophes, dashes and ellipses in English', async () => {
    const html = await project.read('output/trade.html');
    expect(html).toContain('Japan’s policy is “free from” interference – mostly…');
    expect(html).toContain('the relationship—so it goes');
    expect(html).toContain('<title>Japan’s “Free From” Trade Policy</title>');
  });

  it('leaves code and addresses as written', async () => {
    const html = await project.read('output/trade.html');
    expect(html).toContain('<code>don\'t "touch" -- code</code>');
    expect(html).toContain('>https://example.org/a--b</a>');
  });

  it('leaves Japanese text as written', async () => {
    const html = await project.read('output/ja.html');
    expect(html).toContain('鳩山首相は「友愛」を掲げ、"対等な日米関係"を唱えた -- これは \'EAST\' の構想である...');
  });

  it('never hyphenates inside table cells', async () => {
    const text = await pdfText(output('trade.pdf'));
    const words = ['Characterization', 'Internationalization', 'Telecommunications', 'Responsibilities', 'Administration', 'Understanding'];
    for (const word of words) expect(text.split(word).length - 1, word).toBe(4);
    expect(text.split('North Carolina analysis of regional manufacturing').length - 1).toBe(60);
  });

  it('repeats "Table 1 (continued)" with the header on the next page', async () => {
    const pdf = output('trade.pdf');
    const pages = Number((await pdfInfo(pdf)).Pages);
    let continued = 0;
    for (let page = 2; page <= pages; page++) {
      const text = await pdfText(pdf, page);
      if (!/North Carolina/.test(text)) continue;
      expect(text, `page ${page}`).toMatch(/Table 1 \(continued\)\s+Year\s+Series\s+Jobs\s+Change/);
      continued++;
    }
    expect(continued).toBeGreaterThanOrEqual(1);
  });

  it('sets body text 65 to 75 characters a line at the default size', async () => {
    const { stdout } = await run('pdftotext', ['-layout', '-f', '2', '-l', '2', (await samples(inject('samples'))).output('us-japan-relations.pdf'), '-']);
    // Lines of the body: long ones, neither the running footer (wide gaps) nor a paragraph's last line.
    const lengths = stdout
      .slice(0, stdout.indexOf('About this brief'))
      .split('\n')
      .filter((line) => !/\S\s{3,}\S/.test(line.trim()))
      .map((line) => line.trim().replace(/\s+/g, ' ').length)
      .filter((length) => length > 55);
    expect(lengths.length).toBeGreaterThan(20);
    const sorted = [...lengths].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(65);
    expect(median).toBeLessThanOrEqual(75);
    expect(sorted.filter((length) => length > 78), sorted.join(' ')).toEqual([]);
  });
});

describe('npm run check on brand colors', () => {
  it('measures contrast as WCAG 2 does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#767676', '#fff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  it('reports a brand color too light for text, at its line in brief.config.yaml', async () => {
    const pale = await createProject({
      'brief.config.yaml': 'brand:\n  colors:\n    primary: "#12355b"\n    accent: "#f4a6b8"\n',
    });
    try {
      // No brief: the config's own check runs all the same.
      await pale.write('source/.keep', '');
      const result = await pale.run(['check', '--format', 'json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { messages: { file: string; line: number; column: number; rule: string; message: string }[] };
      expect(report.messages.map((message) => `${message.file}:${message.line}:${message.column} ${message.rule}`)).toEqual(['brief.config.yaml:4:13 brand-contrast']);
      expect(report.messages[0]!.message).toContain('"#f4a6b8" has a contrast of 1.');
    } finally {
      await pale.remove();
    }
  });
});

describe('files a brand or a template names', () => {
  it('reports a missing logo once, at its line in brief.config.yaml', async () => {
    const broken = await createProject({
      'brief.config.yaml': 'organization: House\nbrand:\n  logo:\n    src: missing.svg\n    alt: House\n',
      'source/a.md': '---\ntitle: A\n---\n\nText.\n',
      'source/b.md': '---\ntitle: B\n---\n\nText.\n',
    });
    try {
      const result = await broken.run(['build', '--format', 'html']);
      expect(result.code).toBe(1);
      const lines = result.stderr.split('\n').filter((line) => line.includes('missing.svg'));
      expect(lines).toEqual(['brief.config.yaml:4:10 error Logo "missing.svg" not found (looked for missing.svg). Put the file beside brief.config.yaml, or correct brand.logo.src. (brand-logo)']);
    } finally {
      await broken.remove();
    }
  });

  it('embeds an image a template names, and a missing one is one error at the template\'s line', async () => {
    // Two briefs of the template: its problem is still printed once.
    const custom = await createProject({ 'source/a.md': '---\ntitle: A\ntemplate: house\n---\n\nText.\n', 'source/b.md': '---\ntitle: B\ntemplate: house\n---\n\nText.\n' });
    try {
      await cp(join(custom.root, 'templates', 'policy-brief'), join(custom.root, 'templates', 'house'), { recursive: true });
      await writeFile(join(custom.root, 'templates', 'house', 'seal.png'), await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
      const masthead = join(custom.root, 'templates', 'house', 'partials', 'masthead.hbs');
      const original = await readFile(masthead, 'utf8');
      await writeFile(masthead, `<img class="seal" src="seal.png" alt="Seal">\n${original}`);
      const built = await custom.run(['build', '--format', 'html']);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stderr).toBe('');
      expect(await custom.read('output/a.html')).toMatch(/<img class="seal" src="data:image\/png;base64,[^"]+" alt="Seal">/);

      // A template's own brand.yaml wins over the config's, its logo read beside it.
      await writeFile(join(custom.root, 'templates', 'house', 'brand.yaml'), 'logo:\n  src: seal.png\n  alt: The house seal\ncolors:\n  primary: "#2b4a1f"\n');
      const branded = await custom.run(['build', '--format', 'html']);
      expect(branded.code, branded.stderr).toBe(0);
      const page = await custom.read('output/a.html');
      expect(page).toContain(':root{--brand-primary:#2b4a1f}');
      expect(page).toMatch(/<img class="logo" src="data:image\/png;base64,[^"]+" alt="The house seal">/);
      await writeFile(join(custom.root, 'templates', 'house', 'brand.yaml'), 'colors:\n  primary: "#2b4a1f"\nlogo:\n  src: lost.svg\n  alt: Seal\n');
      const lost = await custom.run(['build', '--format', 'html']);
      expect(lost.code).toBe(1);
      expect(lost.stderr.split('\n').filter((line) => line.includes('lost.svg'))).toEqual([
        'templates/house/brand.yaml:4:8 error Logo "lost.svg" not found (looked for templates/house/lost.svg). Put the file beside templates/house/brand.yaml, or correct brand.logo.src. (brand-logo)',
      ]);
      await writeFile(join(custom.root, 'templates', 'house', 'brand.yaml'), 'colors:\n  primary: "#2b4a1f"\n');

      await writeFile(masthead, `\n<img class="seal" src="gone.png" alt="Seal">\n${original}`);
      const broken = await custom.run(['build', '--format', 'html']);
      expect(broken.code).toBe(1);
      expect(broken.stderr.split('\n').filter((line) => line.includes('gone.png'))).toEqual([
        'templates/house/partials/masthead.hbs:2:19 error Template: "gone.png" not found (looked for templates/house/gone.png). Put the file in the template\'s folder, or correct the address. (template-asset)',
      ]);
    } finally {
      await custom.remove();
    }
  });
});

describe('watch mode and the brand', () => {
  it('builds again when the config\'s logo changes', async () => {
    const watched = await createProject({
      'brief.config.yaml': 'brand:\n  logo: { src: logo.svg, alt: House }\n',
      'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#123"/></svg>',
      'source/a.md': '---\ntitle: A\n---\n\nText.\n',
    });
    const stop = new AbortController();
    let output = '';
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const watching = main(['watch', '--port', '0'], { stdout: sink, stderr: sink, cwd: watched.root, env: process.env, signal: stop.signal });
    const until = async (done: () => Promise<boolean> | boolean) => {
      const deadline = Date.now() + 30_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`Timed out; watch said:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => /Built 1 of 1 brief/.test(output));
      // As the handout writes it in an attribute: Handlebars escapes "=".
      const logo = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`.replaceAll('=', '&#x3D;');
      const next = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="5" cx="5" cy="5" fill="#456"/></svg>';
      await watched.write('logo.svg', next);
      await until(async () => (await watched.read('output/a.html').catch(() => '')).includes(logo(next)));
    } finally {
      stop.abort();
      await watching;
      await watched.remove();
    }
  });
});

/** A view of a minimal brief, for the citation's cases. */
function viewInput(matter: Record<string, unknown>, url: string | null = null, lang = 'en'): ViewInput {
  const labels = (parse(readFileSync(join(TOOL_ROOT, 'templates', 'policy-brief', 'labels.yaml'), 'utf8')) as Record<string, Record<string, string>>)[lang]!;
  return {
    matter: briefMatterSchema.parse({ title: 'U.S.-Japan Relations', ...matter }),
    config: configSchema.parse({}),
    labels,
    target: 'html',
    body: { html: '', keyPointsHtml: null },
    toc: null,
    css: { fonts: '', screen: '', print: '' },
    outputs: { html: 'b.html', pdf: 'b.pdf' },
    url,
    generator: 'brief test',
  };
}

describe('a template of your own', () => {
  it('starts from brief\'s base rules: note numbers raised by an offset, which prints the same every time', async () => {
    const project = await createProject({ 'templates/mine/layout.hbs': '<!doctype html><html><head><style>{{{css.screen}}}</style></head><body>{{{body}}}</body></html>\n', 'templates/mine/style.css': 'p { color: #222; }\n' });
    try {
      const { loadTemplate } = await import('../scripts/pipeline/template.ts');
      const template = await loadTemplate(join(project.root, 'templates'), 'mine');
      // Before the template's own rules, which may override it (vertical-align: super, by Chromium, moved between prints).
      expect(template.css.screen).toMatch(/^sup \{ vertical-align: baseline; position: relative; top: -0\.5em; \}\np \{ color: #222; \}\n$/);
    } finally {
      await project.remove();
    }
  });
});
