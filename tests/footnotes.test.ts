import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, readPdf } from '../scripts/check/read-pdf.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { firstWrongPage, placeNotes } from '../scripts/pipeline/place-notes.ts';
import { pdfInfo, pdfOutline, pdfText, qpdfCheck } from './helpers/pdf.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';
import { axeViolations, nuHtmlCheck, testBrowser } from './helpers/validators.ts';

// One build for the whole file: the 40-note fixture with footnotes (the default), the same with
// `notes: endnotes`, and a brief with a long note; and one check of a short brief with a note
// taller than a page, which builds it.
let project: TempProject;
let source: string;
let tallCheck: CliResult;
const notes = new Map<number, { text: string; before: string }>();

/** Text to find as it is, in a regular expression. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A page's text with lines joined and words cut by hyphens whole again. */
const flat = (text: string) => text.replace(/[\u2010\u00ad-]\n/g, '').replace(/\u00ad/g, '').replace(/\s+/g, ' ');

beforeAll(async () => {
  source = await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'footnotes', 'notes.md'), 'utf8');
  // Each note's text, and the word its reference follows ("Asia." for "… East Asia.[^n2]").
  for (const match of source.matchAll(/^\[\^n(\d+)\]: (.*)$/gm)) notes.set(Number(match[1]), { text: match[2]!.replace(/\*/g, ''), before: '' });
  for (const match of source.matchAll(/(\S+)\[\^n(\d+)\](?!:)/g)) notes.get(Number(match[2]))!.before = match[1]!.replace(/\[\^n\d+\]/g, '');
  const tall = `${Array.from({ length: 14 }, (_, index) => `Paragraph ${index + 1} of the text, long enough to fill a line or two of the page with words.`).join('\n\n')}\n\nA claim.[^big]\n\n[^big]: ${Array.from({ length: 260 }, () => 'A note that goes on and on, far taller than any page could hold under its text.').join(' ')}\n`;
  // A long note cited half way down page 1: its start at the foot of page 1, its rest on page 2.
  const line = (index: number) => `Paragraph ${index} of the text, long enough to fill a line or two of the page with words, and then some more words to make it wrap onto a second line of the page.`;
  const long = `${Array.from({ length: 8 }, (_, index) => line(index + 1)).join('\n\n')}\n\nParagraph 9 cites a long note.[^long]\n\n${Array.from({ length: 30 }, (_, index) => line(index + 10)).join('\n\n')}\n\nAnother claim.[^short]\n\n[^long]: ${Array.from({ length: 22 }, (_, index) => `Sentence ${index + 1} of a long note that runs on for several lines.`).join(' ')}\n[^short]: A short note.\n`;
  project = await createProject({
    'source/long.md': `---\ntitle: A Long Note\ndate: 2024-05-01\n---\n\n${long}`,
    'source/notes.md': source,
    'source/notes-end.md': source.replace('toc: true\n', 'toc: true\nnotes: endnotes\n'),
    'source/tall.md': `---\ntitle: A Tall Note\ndate: 2024-05-01\n---\n\n${tall}`,
  });
  const result = await project.run(['build', 'source/long.md', 'source/notes.md', 'source/notes-end.md']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  // The tall note's brief is built by npm run check itself (a check builds what it checks): once, not twice.
  tallCheck = await project.run(['check', 'source/tall.md']);
});

afterAll(async () => {
  await project.remove();
});

describe('footnotes in the PDF (notes: footnotes, the default)', () => {
  const pdf = () => join(project.root, 'output', 'notes.pdf');

  it('prints every one of the 40 notes on the page of its reference, numbered through the brief', async () => {
    const pages = Number((await pdfInfo(pdf())).Pages);
    expect(pages).toBeGreaterThanOrEqual(6);
    const texts = await Promise.all(Array.from({ length: pages }, (_, index) => pdfText(pdf(), index + 1).then(flat)));
    expect(notes.size).toBe(40);
    const notePage = new Map<number, number>();
    for (const [number, note] of notes) {
      const reference = new RegExp(`${escape(note.before)}${number}(?!\\d)`);
      const line = new RegExp(`(?<!\\d)${number} ${escape(note.text.slice(0, 40))}`);
      const refPages = texts.flatMap((text, index) => (reference.test(text) ? [index + 1] : []));
      const notePages = texts.flatMap((text, index) => (line.test(text) ? [index + 1] : []));
      expect(refPages, `reference ${number}`).toHaveLength(1);
      expect(notePages, `note ${number}`).toEqual(refPages);
      notePage.set(number, notePages[0]!);
    }
    // Spread over the pages, in order, and no "Notes" list at the end.
    expect(new Set(notePage.values()).size).toBeGreaterThanOrEqual(5);
    expect([...notePage.values()]).toEqual([...notePage.values()].sort((a, b) => a - b));
    expect(texts.join(' ')).not.toMatch(/\bNotes\b(?! on the Alliance)/);
  });

  it('sets the notes at the foot of the page, under a rule, after the text', async () => {
    const { stdout } = await import('node:child_process').then(({ execFile }) => import('node:util').then(({ promisify }) => promisify(execFile)('pdftotext', ['-bbox', '-f', '2', '-l', '2', pdf(), '-'])));
    // Words with their heights on the page: the last note's last word sits within an inch of the page's foot.
    const words = [...stdout.matchAll(/yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</g)].map((match) => ({ y: Number(match[2]), word: match[3]! }));
    const footer = words.filter((word) => word.word === 'Page').at(-1)!;
    const body = words.filter((word) => word.y < footer.y - 20);
    expect(footer.y - body.at(-1)!.y).toBeLessThan(40);
  });

  it('keeps the contents list\'s page numbers right', async () => {
    const outline = await pdfOutline(pdf());
    const text = flat(await pdfText(pdf(), 1));
    for (const heading of ['Background', 'Security cooperation', 'Economic ties', 'Domestic politics', 'Regional context', 'Policy options', 'Outlook']) {
      const page = outline.find((entry) => entry.title === heading)!.page;
      expect(text, heading).toMatch(new RegExp(`${heading} [. ]*${page}\\b`));
    }
  });

  it('tags each note as a Note linked to its reference, leaves nothing untagged, and passes qpdf --check', async () => {
    const doc = await PDFDocument.load(await readFile(pdf()), { updateMetadata: false });
    const facts = readPdf(doc);
    expect(facts.untagged).toEqual([]);
    const roles = flatten(facts.structure!).map((element) => element.role);
    expect(roles.filter((role) => role === 'Note')).toHaveLength(40);
    const raw = await (await import('node:child_process').then(({ execFile }) => import('node:util').then(({ promisify }) => promisify(execFile)('qpdf', ['--qdf', '--object-streams=disable', pdf(), '-'], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' })))).stdout;
    expect(raw.match(/\/ID \(fn-n\d+\)/g)).toHaveLength(40);
    // Each note and the Link of its reference name each other.
    expect(raw.match(/\/Ref \[/g)!.length).toBeGreaterThanOrEqual(80);
    expect((await qpdfCheck(pdf())).ok).toBe(true);
  });
});

describe('endnotes (notes: endnotes)', () => {
  it('keeps the notes in one list under "Notes" after the text', async () => {
    const path = join(project.root, 'output', 'notes-end.pdf');
    const pages = Number((await pdfInfo(path)).Pages);
    const texts = await Promise.all(Array.from({ length: pages }, (_, index) => pdfText(path, index + 1).then(flat)));
    const text = texts.join(' ');
    const start = text.indexOf(' Notes 1. ');
    expect(start).toBeGreaterThan(0);
    // Every note after the heading, in order; none before it.
    let at = start;
    for (const [number, note] of notes) {
      const found = text.indexOf(note.text.slice(0, 40), at);
      expect(found, `note ${number}`).toBeGreaterThan(at);
      at = found;
    }
    expect(text.slice(0, start)).not.toContain(notes.get(17)!.text.slice(0, 60));
    expect(texts.at(-1)).toContain('Suggested citation');
  });
});

describe('a long note', () => {
  it('begins at the foot of the page that cites it and goes on at the top of the next page\'s notes', async () => {
    const path = join(project.root, 'output', 'long.pdf');
    const [one, two] = [flat(await pdfText(path, 1)), flat(await pdfText(path, 2))];
    expect(one).toContain('Paragraph 9 cites a long note.1');
    const head = one.indexOf('1 Sentence 1 of a long note');
    expect(head).toBeGreaterThan(one.indexOf('Paragraph 9 cites'));
    // Where page 1 stops, page 2's notes go on, before any other note, and the sentences join up.
    const lastOnOne = Number([...one.slice(head).matchAll(/Sentence (\d+)/g)].at(-1)![1]);
    expect(lastOnOne).toBeGreaterThanOrEqual(2);
    expect(lastOnOne).toBeLessThan(22);
    const rest = two.indexOf(`Sentence ${lastOnOne + 1} of a long note`);
    expect(rest).toBeGreaterThan(two.lastIndexOf('Paragraph'));
    expect(two.indexOf('Sentence 22 of a long note')).toBeGreaterThan(rest);
    expect(two).not.toMatch(/\b1 Sentence 1\b/);
  });
});

describe('a note taller than a page', () => {
  it('prints under "Notes" at the end, and npm run check says so at its reference', async () => {
    const path = join(project.root, 'output', 'tall.pdf');
    const text = flat(await pdfText(path));
    expect(text.indexOf('A note that goes on')).toBeGreaterThan(text.indexOf(' Notes 1 '));
    expect(text.indexOf(' Notes 1 ')).toBeGreaterThan(text.indexOf('A claim.1'));
    expect(tallCheck.stdout).toMatch(/^source\/tall\.md:34:9 warning Footnote 1 could not be placed at the foot of page 1, where it is cited: it prints under "Notes" at the end \(page 1\)\. .*\(note-not-placed\)$/m);
  });
});

describe('notes in the handout', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await testBrowser();
  });

  it('links each reference to its note and back, with a side-note copy hidden from screen readers', async () => {
    const html = await project.read('output/notes.html');
    expect(html).toContain('href="#fn-n17"');
    expect(html).toContain('href="#fnref-n17"');
    const sideNotes = [...html.matchAll(/<span class="side-note" aria-hidden="true">(.*?)<\/span>(?=[^<]*<\/?(?:p|li)\b|\s)/gs)];
    expect(html.match(/class="side-note"/g)).toHaveLength(40);
    for (const [, inner] of sideNotes) expect(inner).not.toMatch(/<a\b|\sid=/);
  });

  it('shows the side notes beside the text on a wide screen only', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`file://${join(project.root, 'output', 'notes.html')}`);
      const box = (width: number) =>
        page.setViewport({ width, height: 900 }).then(() =>
          page.evaluate(() => {
            const note = document.querySelector('.side-note')!.getBoundingClientRect();
            const text = document.querySelector('.article p')!.getBoundingClientRect();
            return { shown: note.width > 0, left: note.left, textRight: text.right };
          }),
        );
      const wide = await box(1400);
      expect(wide.shown).toBe(true);
      expect(wide.left).toBeGreaterThan(wide.textRight);
      expect((await box(800)).shown).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('stays valid for the Nu Html Checker and axe-core, narrow and wide', async () => {
    const file = join(project.root, 'output', 'notes.html');
    // The table's column alignment (align="right", GitHub's Markdown) is the table stage's, not the notes'.
    expect((await nuHtmlCheck([file])).filter((message) => !message.includes('The “align” attribute'))).toEqual([]);
    expect(await axeViolations(browser, file)).toEqual([]);
    expect(await axeViolations(browser, file, 1400)).toEqual([]);
  });
});

describe('placeNotes, the plan of each page\'s end and notes', () => {
  // A column of 20 lines, 20 px each; a place to stop before every line; pages of 100 px.
  const breaks = Array.from({ length: 20 }, (_, line) => ({ key: { block: String(line), offset: 0 }, y: line * 20 }));
  const measure = (refs: { note: string; y: number }[], heights: Record<string, number>) => ({ breaks, refs, noteHeights: heights, areaOverhead: 10, end: 400 });
  const options = { firstPage: 1, start: 0, pageHeight: () => 100, slack: () => 0 };

  it('ends each page where the text above and the notes it cites fill it', () => {
    // A short brief: everything on one page, its notes after the end of the text.
    const short = { ...measure([{ note: 'a', y: 10 }], { a: 20 }), breaks: breaks.slice(0, 3), end: 60 };
    expect(placeNotes(short, options)).toEqual({ areas: [{ page: 1, at: 'end', notes: ['a'] }], unplaceable: [], complete: true });
    const plan = placeNotes(measure([{ note: 'a', y: 10 }, { note: 'b', y: 110 }], { a: 20, b: 20 }), options);
    // Page 1: lines 0-2 (60 px) + overhead 10 + note 20 = 90; a fourth line would make 110.
    expect(plan.areas[0]).toEqual({ page: 1, at: { block: '3', offset: 0 }, notes: ['a'] });
    // Page 2 from line 3: lines 3-5 (60 px) + 10 + 20 = 90.
    expect(plan.areas[1]).toEqual({ page: 2, at: { block: '6', offset: 0 }, notes: ['b'] });
    // Then no more notes: Chrome ends the pages after as it would.
    expect(plan.areas).toHaveLength(2);
    expect(plan.complete).toBe(false);
  });

  it('moves a reference whose line does not fit with its note to the next page, note and all', () => {
    // The reference on line 3 (y 70): with its note of 30, lines 0-3 (80) would need 120.
    const plan = placeNotes(measure([{ note: 'a', y: 70 }], { a: 30 }), options);
    expect(plan.areas[0]).toEqual({ page: 1, at: { block: '3', offset: 0 }, notes: [] });
    expect(plan.areas[1]!.notes).toEqual(['a']);
  });

  it('gives up on a note taller than any page, and plans the rest without it', () => {
    const plan = placeNotes(measure([{ note: 'tall', y: 30 }, { note: 'b', y: 50 }], { tall: 500, b: 10 }), options);
    expect(plan.unplaceable).toEqual(['tall']);
    // Lines 0-3 (80 px) + 10 + 10 = 100: the page as if the tall note were not there.
    expect(plan.areas).toEqual([{ page: 1, at: { block: '4', offset: 0 }, notes: ['b'] }]);
  });

  it('cuts a note after a line when nothing fits whole, and carries its rest to the top of the next page\'s notes', () => {
    // Note a: four lines of 20 px; it may be cut before its third line (offset 20, 40 px above).
    const long = { ...measure([{ note: 'a', y: 30 }], { a: 80 }), noteLines: { a: [{ offset: 20, top: 40 }] } };
    expect(placeNotes(long, options).areas).toEqual([
      { page: 1, at: { block: '2', offset: 0 }, notes: ['a'], cut: { note: 'a', offset: 20 } },
      { page: 2, at: { block: '4', offset: 0 }, notes: [], carry: { note: 'a', offset: 20 } },
    ]);
  });

  it('prints a note cited twice once, under its first reference', () => {
    const plan = placeNotes(measure([{ note: 'a', y: 10 }, { note: 'a', y: 130 }], { a: 10 }), options);
    expect(plan.areas.flatMap((area) => area.notes)).toEqual(['a']);
  });

  it('leaves a page with no notes to Chrome, and stops where no place to stop fits', () => {
    expect(placeNotes(measure([{ note: 'a', y: 330 }], { a: 10 }), options)).toEqual({ areas: [], unplaceable: [], complete: false });
    const oneBlock = { breaks: [], refs: [{ note: 'a', y: 10 }], noteHeights: { a: 10 }, areaOverhead: 10, end: 400 };
    expect(placeNotes(oneBlock, options).complete).toBe(false);
  });

  it('finds the first page whose notes printed elsewhere than their references', () => {
    const refPages = new Map([['a', 1], ['b', 2], ['c', 3]]);
    expect(firstWrongPage({ refPages, notePages: new Map([['a', 1], ['b', 2], ['c', 3]]) })).toBeUndefined();
    expect(firstWrongPage({ refPages, notePages: new Map([['a', 1], ['b', 3], ['c', 4]]) })).toBe(2);
    expect(firstWrongPage({ refPages, notePages: new Map([['a', 1], ['b', 2]]) })).toBe(3);
    expect(firstWrongPage({ refPages, notePages: new Map([['a', 1], ['b', 3]]) }, new Set(['b']))).toBe(3);
  });
});
