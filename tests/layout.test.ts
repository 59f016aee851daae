import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { samples } from './helpers/samples.ts';
import { pdfInfo, pdfOutline, pdfText } from './helpers/pdf.ts';

const run = promisify(execFile);
/** The showcase, built once for the run by global setup (tests/helpers/samples.ts). */
const built = await samples(inject('samples'));
const pdf = built.output('showcase.pdf');
let html: string;

beforeAll(async () => {
  expect(built.build.code, built.build.stderr).toBe(0);
  html = await readFile(built.output('showcase.html'), 'utf8');
});

/** The entries of the "Contents" list on the first page, [heading, page], read down each column in turn (a long list is set in two). */
async function tocLines(): Promise<[string, number][]> {
  // -layout keeps each entry's title and page number on one line, as printed.
  const { stdout } = await run('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-']);
  const lines = stdout.slice(stdout.indexOf('Contents')).split('\n').slice(1);
  const columns: [string, number][][] = [[], []];
  for (const line of lines) {
    const matches = [...line.matchAll(/(\S.*?)\s{2,}(\d+)(?=\s{2,}|\s*$)/g)];
    if (matches.length === 0) {
      if (columns[0]!.length > 0 && line.trim() === '') break;
      continue;
    }
    // One entry on a line is the left column's, unless it starts in the right half.
    for (const match of matches) {
      const right = matches.length === 2 ? match === matches[1] : match.index! > line.length / 2 && match.index! > 40;
      columns[right ? 1 : 0]!.push([match[1]!.trim(), Number(match[2])]);
    }
  }
  return [...columns[0]!, ...columns[1]!];
}

describe('a brief long enough for a table of contents', () => {
  it('gets one by default, beyond four pages', async () => {
    expect(Number((await pdfInfo(pdf)).Pages)).toBeGreaterThan(4);
    expect((await tocLines()).map(([text]) => text)).toEqual([
      'Background',
      'The alliance in numbers',
      'Economic ties',
      'A long table',
      'Policy options',
      'Option one',
      'Option two',
      'Terms in other languages',
      'Outlook',
      'Conclusion',
    ]);
  });

  it('gives each heading the page it is printed on', async () => {
    const outline = await pdfOutline(pdf);
    for (const [heading, page] of await tocLines()) {
      expect(outline.find((entry) => entry.title === heading)?.page, heading).toBe(page);
      const pageText = (await pdfText(pdf, page)).split('\n').map((line) => line.trim());
      expect(pageText, `"${heading}" on page ${page}`).toContain(heading);
    }
  });

  it('lists the same contents in the handout, without page numbers', () => {
    expect(html).toContain('<nav class="toc" aria-labelledby="toc-title">');
    expect(html).toContain('<li class="toc-level-3"><a href="#the-alliance-in-numbers"><span class="toc-text">The alliance in numbers</span></a></li>');
    const nav = html.slice(html.indexOf('<nav class="toc"'), html.indexOf('</nav>', html.indexOf('<nav class="toc"')));
    expect(nav).not.toContain('toc-page');
  });

  it('repeats the table header on every page the table runs onto', async () => {
    const pages: number[] = [];
    for (let page = 1; page <= Number((await pdfInfo(pdf)).Pages); page++) {
      const text = await pdfText(pdf, page);
      if (/\b(19[89]\d|20[0-2]\d)\s+\d+\.\d\s+\d+\.\d/.test(text.replace(/\n/g, ' ')) || /^(19[89]\d|20[0-2]\d)$/m.test(text)) pages.push(page);
    }
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(await pdfText(pdf, page), `page ${page}`).toMatch(/Year\s+Exports\s+Imports\s+Balance/);
  });

  it('numbers the figure and the table in their captions', async () => {
    const text = await pdfText(pdf);
    expect(text).toContain('Figure 1. Where the forces are based (test image)');
    expect(text).toContain('Table 1. Trade and investment figures by year (invented)');
  });

  it('prints each footnote at the foot of the page that cites it (tests/footnotes.test.ts has the rest)', async () => {
    const pages = Number((await pdfInfo(pdf)).Pages);
    const texts = await Promise.all(Array.from({ length: pages }, (_, index) => pdfText(pdf, index + 1)));
    for (const [reference, note] of [['resumed.1', '1 Figures from the original overview'], ['since 1955.2', '2 Projections as of 2009.']]) {
      const page = texts.findIndex((text) => text.includes(note!));
      expect(page, note).toBeGreaterThan(0);
      expect(texts[page]!.replace(/\s+/g, ' ')).toContain(reference);
    }
    expect(texts.join('')).not.toContain('\nNotes\n');
  });

  it('keeps links clickable in the PDF', async () => {
    const { stdout } = await run('qpdf', ['--json', '--json-key=qpdf', pdf], { maxBuffer: 64 * 1024 * 1024 });
    expect(stdout).toContain('"/URI": "u:https://example.org/contact"');
    expect(stdout).toContain('"/URI": "u:mailto:research@example.org"');
  });

  it('keeps links within the brief (contents, notes) as jumps inside the PDF', async () => {
    const { stdout } = await run('qpdf', ['--json', '--json-key=qpdf', pdf], { maxBuffer: 64 * 1024 * 1024 });
    const objects = Object.values((JSON.parse(stdout) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>] }).qpdf[1]);
    const links = objects.map((object) => object.value).filter((value) => value?.['/Subtype'] === '/Link');
    const internal = links.filter((link) => '/Dest' in link! || (link!['/A'] as Record<string, unknown> | undefined)?.['/S'] === '/GoTo');
    expect(internal.length).toBeGreaterThanOrEqual(11);
    expect(stdout).not.toMatch(/brief-\d+\.invalid/);
  });

  it('links the handout to its PDF', () => {
    expect(html).toContain('<a href="showcase.pdf" type="application/pdf">PDF</a>');
  });

  it('ends with the citation, contact, disclaimer and links', async () => {
    const last = await pdfText(pdf, Number((await pdfInfo(pdf)).Pages));
    expect(last.replace(/\s+/g, ' ')).toContain('Example Policy Office, Research Unit, “Showcase of Every Block,” Working Paper, Example Policy Office, March 15, 2024, https://example.org/briefs/showcase.html.');
    expect(last).toContain('research@example.org');
    expect(last).toContain('This brief is a test document. Its figures are invented.');
    expect(last).toContain('Example home');
  });
});
