import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { pdfInfo, pdfText } from './helpers/pdf.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';

const run = promisify(execFile);

/** A Word document as analysts write them: sections, a footnote, an aligned table with a caption, a captioned picture, properties, and what brief cannot carry. */
const WORD_SOURCE = `---
title: Trade Policy Review
author: Jane Analyst
date: 2024-05-01
---

# Overview

Japan is a major partner.[^1] Some **bold** and *italic* text with a [link](https://example.org/). [A reviewer's remark]{.comment-start id="0" author="Reviewer" date="2024-05-02T00:00:00Z"}Check this figure.[]{.comment-end id="0"} New [inserted words]{.insertion author="Editor" date="2024-05-02T00:00:00Z"} and [deleted words]{.deletion author="Editor" date="2024-05-02T00:00:00Z"}.

Growth follows $E = mc^2$ here.

# Trade

## Goods

| Year | Exports | Note |
|:-----|--------:|:----:|
| 2008 | 10.5 | a |
| 2009 | 9.8 | b |

: Exports to Japan, in billions

![Map of U.S. bases in Japan](map.png){width=50%}

1. First step
2. Second step

# Outlook

More to come.[^2]

[^1]: Census Bureau, 2009.
[^2]: Our estimate.
`;

const JAPANESE_SOURCE = `---
title: 日米関係
---

# 概要

日米同盟は、東アジアにおける米国の安全保障上の役割の要である。

# 貿易

日本は米国にとって最も重要な経済パートナーの一つである。
`;

/** A saved page shaped like the embassy page the seed brief comes from: masthead, language link, nav, footer. */
async function embassyPage(): Promise<string> {
  const seed = await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'seed', 'us-japan-relations.txt'), 'utf8');
  const paragraphs = seed.split('\n\n').slice(3, 7).map((text) => `<p>${text.trim()}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>U.S.-Japan Relations | U.S. Embassy &amp; Consulates in Japan</title>
<meta name="author" content="Political Section"><meta property="article:published_time" content="2009-09-15T09:00:00+00:00"></head>
<body>
<header class="site-header"><div class="masthead"><a href="/"><img src="page_files/seal.png" alt="U.S. Embassy seal"> U.S. Embassy &amp; Consulates in Japan</a></div>
<div class="language"><a href="/ja/" lang="ja">日本語</a></div>
<nav class="main-nav"><ul><li><a href="/news/">News &amp; Events</a></li><li><a href="/visas/">Visas</a></li><li><a href="/services/">U.S. Citizen Services</a></li><li><a href="/business/">Business</a></li><li><a href="/embassy/">Embassy</a></li></ul></nav>
</header>
<main><article class="entry">
<h1 class="entry-title">U.S.-Japan Relations</h1>
<h2>Overview</h2>
${paragraphs}
<figure><img src="page_files/map.png" alt="Map of U.S. bases in Japan"><figcaption>Figure 1: U.S. forces in Japan, 2009</figcaption></figure>
<table><caption>Table 1. Japan's GDP growth</caption><thead><tr><th>Year</th><th style="text-align:right">GDP</th></tr></thead><tbody><tr><td>2008</td><td style="text-align:right">−0.7%</td></tr></tbody></table>
</article></main>
<footer class="site-footer"><ul><li><a href="/privacy/">Privacy Policy</a></li><li><a href="/contact/">Contact Us</a></li><li><a href="https://www.state.gov/">Department of State</a></li><li><a href="https://www.usa.gov/">USA.gov</a></li></ul><p>This is the official website of the U.S. Embassy in Japan.</p></footer>
</body></html>`;
}

const messagesOf = (result: CliResult, name: string) => result.stderr.split('\n').filter((line) => line.startsWith(`${name}:`)).map((line) => line.slice(name.length + 1));

describe('npm run import', () => {
  let project: TempProject;
  let imported: CliResult;
  let built: CliResult;
  let docxBytes: Buffer;
  beforeAll(async () => {
    project = await createProject();
    const map = await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png'));
    await project.write('drafts/map.png', map);
    await project.write('drafts/trade.md', WORD_SOURCE);
    await project.write('drafts/japan.md', JAPANESE_SOURCE);
    await run('pandoc', ['trade.md', '-o', 'trade-policy.docx'], { cwd: join(project.root, 'drafts') });
    await run('pandoc', ['japan.md', '-o', 'japan.docx'], { cwd: join(project.root, 'drafts') });
    docxBytes = await readFile(join(project.root, 'drafts', 'trade-policy.docx'));
    await project.write('saved/us-japan-relations.html', await embassyPage());
    await project.write('saved/page_files/map.png', map);
    await project.write('saved/page_files/seal.png', map);
    imported = await project.run(['import', 'drafts/trade-policy.docx', 'drafts/japan.docx', 'saved/us-japan-relations.html']);
    // Printed where a test reads the PDF; the Japanese brief, whose handout alone is read, as HTML.
    const printed = await project.run(['build', '--format', 'html,pdf', 'source/trade-policy.md', 'source/us-japan-relations.md']);
    const handout = await project.run(['build', '--format', 'html', 'source/japan.md']);
    built = { code: Math.max(printed.code, handout.code), stdout: printed.stdout + handout.stdout, stderr: printed.stderr + handout.stderr };
  });
  afterAll(() => project.remove());

  it('imports each file into source/, with its images beside it', async () => {
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('✓ drafts/trade-policy.docx → source/trade-policy.md and 1 image');
    expect(imported.stdout).toContain('Imported 3 of 3 files into source/.');
    expect(await readFile(join(project.root, 'source', 'trade-policy-1.png'))).toEqual(await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
  });

  it('writes a Word document as a brief: front matter from its properties, headings, footnotes, an aligned table, captions, lists, links, emphasis', async () => {
    const markdown = await project.read('source/trade-policy.md');
    expect(markdown).toMatch(/^---\ntitle: Trade Policy Review\nauthor: Jane Analyst\ndate: 2024-05-01\n---\n/);
    expect(markdown).toContain('# Overview\n');
    expect(markdown).toContain('## Goods\n');
    expect(markdown).toContain('Japan is a major partner.[^1] Some **bold** and *italic* text with a [link](https://example.org/).');
    expect(markdown).toContain('[^1]: Census Bureau, 2009.');
    expect(markdown).toContain('More to come.[^2]');
    expect(markdown).toContain('Table: Exports to Japan, in billions\n\n| Year | Exports | Note |\n| :--- | ------: | :--: |');
    expect(markdown).toContain('![Map of U.S. bases in Japan](trade-policy-1.png "Map of U.S. bases in Japan")');
    expect(markdown).toContain('1. First step\n2. Second step');
  });

  it('says what could not be carried over, each at its paragraph', () => {
    const messages = messagesOf(imported, 'drafts/trade-policy.docx');
    expect(messages).toEqual([
      '5:1 warning A comment by Reviewer in paragraph 5 ("Japan is a major partner. Some bold and…") is not carried over: "A reviewer’s remark". Briefs have no comments; resolve it in Word, or write it into the text. (import-comment)',
      '5:1 warning An insertion by Editor tracked in paragraph 5 ("Japan is a major partner. Some bold and…") ("inserted words") is kept, as if accepted. Accept or reject the changes in Word (Review → Accept/Reject) and import again to decide. (import-tracked-change)',
      '5:1 warning A deletion by Editor tracked in paragraph 5 ("Japan is a major partner. Some bold and…") ("deleted words") is left out, as if accepted. Accept or reject the changes in Word (Review → Accept/Reject) and import again to decide. (import-tracked-change)',
      '6:1 warning An equation in paragraph 6 ("Growth follows here.") ("E=mc2") is left out: briefs have no equations. Write it as text, or insert it as a picture. (import-equation)',
    ]);
  });

  it('detects a Japanese document', async () => {
    expect(await project.read('source/japan.md')).toMatch(/^---\ntitle: 日米関係\n(date: [\d-]+\n)?lang: ja\n---\n/);
  });

  it('keeps a saved web page\'s article, without masthead, language link, navigation or footer', async () => {
    const markdown = await project.read('source/us-japan-relations.md');
    expect(markdown).toMatch(/^---\ntitle: U\.S\.-Japan Relations\nauthor: Political Section\ndate: 2009-09-15\n---\n/);
    expect(markdown).toContain('The post-World War II U.S.-Japan alliance has long been an anchor');
    expect(markdown).toContain('![Map of U.S. bases in Japan](us-japan-relations-1.png "U.S. forces in Japan, 2009")');
    expect(markdown).toContain("Table: Japan's GDP growth\n\n| Year |   GDP |\n| ---- | ----: |");
    for (const chrome of ['日本語', 'Visas', 'News & Events', 'Privacy Policy', 'USA.gov', 'official website', 'Embassy seal']) expect(markdown).not.toContain(chrome);
  });

  it('gives briefs that build as HTML and PDF with no errors, keeping notes, table and figure', async () => {
    expect(built.stderr).not.toContain(' error ');
    expect(built.code).toBe(0);
    const pdf = join(project.root, 'output', 'trade-policy.pdf');
    expect((await pdfInfo(pdf)).Title).toBe('Trade Policy Review');
    const text = await pdfText(pdf);
    for (const expected of ['Table 1. Exports to Japan, in billions', 'Figure 1. Map of U.S. bases in Japan', 'Census Bureau, 2009.', 'Our estimate.', 'Outlook']) expect(text).toContain(expected);
    const web = await pdfText(join(project.root, 'output', 'us-japan-relations.pdf'));
    expect(web).toContain('Figure 1. U.S. forces in Japan, 2009');
    expect(web).not.toContain('Privacy Policy');
    expect(await project.read('output/japan.html')).toContain('<html lang="ja"');
  });

  describe('untrusted documents', () => {
    const importOne = async (name: string, bytes: Buffer, config?: string) => {
      await project.write(`hostile/${name}`, bytes);
      if (config) await project.write('brief.config.yaml', config);
      try {
        const result = await project.run(['import', `hostile/${name}`, '--out', 'hostile-out']);
        return { code: result.code, messages: messagesOf(result, `hostile/${name}`) };
      } finally {
        if (config) await project.write('brief.config.yaml', '');
      }
    };
    const withPart = async (change: (zip: JSZip) => void | Promise<void>) => {
      const zip = await JSZip.loadAsync(docxBytes);
      await change(zip);
      return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    };

    it('refuses a zip bomb', async () => {
      const bomb = await withPart((zip) => void zip.file('word/padding.xml', Buffer.alloc(8 * 1024 * 1024)));
      const result = await importOne('bomb.docx', bomb, 'limits:\n  max_bytes: 4096\n');
      expect(result.code).toBe(1);
      expect(result.messages).toEqual([expect.stringMatching(/^1:1 error The part "word\/padding\.xml" unpacks to more than 800 KB from [\d.]+ KB: the file looks like a zip bomb and is not imported\. \(import-zip-bomb\)$/)]);
    });

    it('refuses a document that points to outside files', async () => {
      const linked = await withPart(async (zip) => {
        const rels = await zip.file('word/_rels/document.xml.rels')!.async('string');
        zip.file('word/_rels/document.xml.rels', rels.replace('</Relationships>', '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="http://evil.example/track.png" TargetMode="External"/></Relationships>'));
      });
      const result = await importOne('linked.docx', linked);
      expect(result.code).toBe(1);
      expect(result.messages[0]).toContain('error The document points to an outside file (image: "http://evil.example/track.png"), which Word would fetch when opening it; brief does not.');
    });

    it('refuses an image over limits.max_image_bytes', async () => {
      const result = await importOne('big-image.docx', docxBytes, 'limits:\n  max_image_bytes: 50\n');
      expect(result.code).toBe(1);
      expect(result.messages[0]).toMatch(/^1:1 error The image "[^"]+\.png" is over 50 B unpacked \(limits\.max_image_bytes\)/);
    });

    it('refuses a file that is not a Word document, and a type it cannot read', async () => {
      const fake = await importOne('fake.docx', Buffer.from('just text'));
      expect(fake.code).toBe(1);
      expect(fake.messages[0]).toMatch(/^1:1 error The file is not a Word document \(\.docx\): .*\(import-docx\)$/);
      const odt = await importOne('notes.odt', Buffer.from('x'));
      expect(odt.messages).toEqual(['1:1 error brief imports Word documents (.docx) and saved web pages (.html), not ".odt". For a .doc, .odt or .rtf, save it as .docx first. (import-type)']);
    });
  });
});
