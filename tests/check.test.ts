import { copyFile, cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { VFile } from 'vfile';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBrand } from '../scripts/check/check-brand.ts';
import { checkPrint } from '../scripts/check/check-print.ts';
import { bodyPlaces } from '../scripts/pipeline/body-places.ts';
import type { LayoutMeasure } from '../scripts/check/measure-layout.ts';
import { readPdf, type PdfFacts } from '../scripts/check/read-pdf.ts';
import { RULES } from '../scripts/pipeline/rules.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { countUntagged, markArtifacts, paintedContent } from '../scripts/pipeline/pdf-content.ts';
import type { PrintedLinks } from '../scripts/pipeline/read-destinations.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';
import { samples } from './helpers/samples.ts';

/** Front matter on lines 1-4 (one more line for each extra field), then a blank line: the body starts on line 6 (or 7). */
const head = (extra = '') => `---\ntitle: A Checked Brief\ndate: 2024-05-01\n${extra}---\n\n`;
const WIDE_TABLE = `| ${Array.from({ length: 9 }, (_, index) => `Column${index}_supercalifragilistic`).join(' | ')} |\n|${'---|'.repeat(9)}\n| ${Array(9).fill('x').join(' | ')} |\n`;
/** Two pages and a bit: over a budget of one page, with few pages to print and measure. */
const PAGES_OF_TEXT = Array.from({ length: 14 }, (_, index) => `Paragraph ${index + 1}. ${'The alliance anchors the region and its trade. '.repeat(8)}`).join('\n\n');

/**
 * One brief per problem, each otherwise clean: [rule, severity, line, column] of every message
 * `npm run check` must give for it, and nothing else.
 */
const PROBLEMS: Record<string, { source: string; expected: [string, 'error' | 'warning', number, number][] }> = {
  'broken-link': { source: `${head()}## Trade\n\nSee [the trade part](#trades) and [a sibling](sibling.md).\n`, expected: [['broken-link', 'error', 8, 5], ['broken-link', 'error', 8, 35]] },
  'broken-footnote': { source: `${head()}Text with a note.[^2] And one that works.[^1]\n\n[^1]: The note.\n\n[^3]: Nobody cites this.\n`, expected: [['broken-footnote', 'error', 6, 18], ['broken-footnote', 'error', 10, 1]] },
  'missing-image': { source: `${head()}![Map of the bases](nowhere.png)\n`, expected: [['missing-image', 'error', 6, 1]] },
  'image-alt': { source: `${head()}Text.\n\n![](map.png)\n`, expected: [['image-alt', 'error', 8, 1]] },
  'heading-skip': { source: `${head()}## Part\n\nText.\n\n#### Detail\n\nText.\n`, expected: [['heading-skip', 'warning', 10, 1]] },
  'empty-section': { source: `${head()}## Outlook\n\n## Trade\n\nText.\n`, expected: [['empty-section', 'warning', 6, 1]] },
  'duplicate-id': { source: `${head()}## Main\n\nText.\n`, expected: [['duplicate-id', 'error', 6, 1]] },
  'unknown-field': { source: `${head('sumary: A typo.\n')}Text.\n`, expected: [['unknown-field', 'warning', 4, 1]] },
  'page-budget': { source: `${head('max_pages: 1\n')}${PAGES_OF_TEXT}\n`, expected: [['page-budget', 'error', 4, 1]] },
  overflow: { source: `${head()}Text.\n\n${WIDE_TABLE}`, expected: [['overflow', 'error', 8, 1]] },
  'stranded-heading': { source: `${head('unsafe_html: true\n')}## Before\n\nText.\n\n## Stranded\n\n<div style="break-before: page"></div>\n\nAfter the break.\n`, expected: [['stranded-heading', 'warning', 11, 1]] },
  'split-row': { source: `${head()}| Term | Text |\n|---|---|\n| Long | ${'word '.repeat(1500)}|\n`, expected: [['stranded-heading', 'warning', 2, 1], ['split-block', 'warning', 8, 1]] },
  'split-image': { source: `${head()}A very tall chart ![Tall chart](tall.png) in a line.\n`, expected: [['stranded-heading', 'warning', 2, 1], ['split-block', 'warning', 6, 19]] },
  'missing-glyph': { source: `${head()}Weather: ☔ and 🀄 today.\n`, expected: [['font-not-embedded', 'error', 1, 1], ['missing-glyph', 'error', 6, 10], ['missing-glyph', 'error', 6, 16]] },
  'font-not-embedded': { source: `${head('template: system-font\n')}Text in the computer's own font.\n`, expected: [['font-not-embedded', 'error', 1, 1]] },
  axe: { source: `${head('unsafe_html: true\n')}Text.\n\n<p><span style="color: #c8c8c8">Too faint to read.</span></p>\n`, expected: [['axe', 'error', 9, 4]] },
};

const CLEAN = `${head()}## Overview\n\nA clean brief. See [the overview](#overview).\n`;
const WARNED = `${head()}## Outlook\n\n## Trade\n\nOnly a warning here.\n`;
const SILENCED = `${head('ignore: [heading-skip, empty-secton]\n')}## Part\n\nText.\n\n#### Detail\n\nText.\n`;
/** Callouts and sidebars are landmarks: any number of them must pass axe (landmark-unique). */
const BOXES = `${head()}Text.\n\n:::callout\nOne.\n:::\n\n:::callout\nTwo.\n:::\n\n:::callout{type=tip}\nThree.\n:::\n\n:::sidebar\nFour.\n:::\n\n:::sidebar[Background]\nFive.\n:::\n\n:::sidebar\nSix.\n:::\n`;
const FAINT = '<p><span style="color: #c8c8c8">Too faint to read.</span></p>\n';
const AXE_SILENCED = `${head('unsafe_html: true\nignore: [axe/color-contrast]\n')}Text.\n\n${FAINT}`;
const AXE_MISSPELT = `${head('unsafe_html: true\nignore: [axe/colour-contrast]\n')}Text.\n\n${FAINT}`;

let project: TempProject;
let first: CliResult;
/** Every message the tests saw, as "severity message (rule)": the README's examples must look like them. */
const seen: string[] = [];
let report: { ok: boolean; summary: { briefs: number; errors: number; warnings: number }; briefs: { source: string; messages: { rule: string; severity: string; line: number; column: number; message: string; category: string }[] }[] };

beforeAll(async () => {
  project = await createProject({
    ...Object.fromEntries(Object.entries(PROBLEMS).map(([name, { source }]) => [`source/${name}.md`, source])),
    'source/clean.md': CLEAN,
    'source/warned.md': WARNED,
    'source/silenced.md': SILENCED,
    'source/boxes.md': BOXES,
    'source/axe-silenced.md': AXE_SILENCED,
    'source/axe-misspelt.md': AXE_MISSPELT,
  });
  await copyFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png'), join(project.root, 'source', 'map.png'));
  await copyFile(join(TOOL_ROOT, 'tests', 'fixtures', 'tall.png'), join(project.root, 'source', 'tall.png'));
  // A template whose text is set in the computer's own monospace font, not a bundled one.
  await cp(join(project.root, 'templates', 'policy-brief'), join(project.root, 'templates', 'system-font'), { recursive: true });
  await project.write('templates/system-font/style.css', `${await project.read('templates/policy-brief/style.css')}\n.article p { font-family: monospace; }\n`);
  first = await project.run(['check', '--format', 'json']);
  report = JSON.parse(first.stdout) as typeof report;
  for (const brief of report.briefs) for (const message of brief.messages) seen.push(`${message.severity} ${message.message} (${message.rule})`);
});
afterAll(() => project.remove());

describe('npm run check', () => {
  it('fails (exit 1) when any brief has errors, with a JSON report for CI', () => {
    expect(first.code, first.stderr).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.summary.briefs).toBe(Object.keys(PROBLEMS).length + 6);
    expect(first.stderr).toMatch(/Checked 22 briefs in [\d.]+ m?s: \d+ errors, \d+ warnings; failed\./);
  });

  it.each(Object.entries(PROBLEMS))('finds %s, with its rule, severity and place', (name, { expected }) => {
    const brief = report.briefs.find((candidate) => candidate.source === `source/${name}.md`)!;
    const found = brief.messages.map((message) => [message.rule, message.severity, message.line, message.column]);
    expect(found, JSON.stringify(brief.messages, null, 1)).toEqual(expected);
  });

  it('passes a clean brief (exit 0), and again without building it again', async () => {
    expect(report.briefs.find((brief) => brief.source === 'source/clean.md')!.messages).toEqual([]);
    const again = await project.run(['check', 'source/clean.md']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Checked 1 brief in [\d.]+ m?s: 0 errors, 0 warnings; passed\.\n$/);
    expect(again.stderr).not.toContain('Building');
  });

  it('passes a brief with warnings only, and fails it under --strict', async () => {
    const plain = await project.run(['check', 'source/warned.md']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^source\/warned\.md:6:1 warning Section "Outlook" is empty\. \(empty-section\)\nChecked 1 brief in [\d.]+ m?s: 0 errors, 1 warning; passed, with warnings\.\n$/);
    const strict = await project.run(['check', 'source/warned.md', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('0 errors, 1 warning; failed (--strict: warnings fail).');
  });

  it('reports one brief with errors as file:line:col severity message (rule), exit 1', async () => {
    const result = await project.run(['check', 'source/broken-link.md']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      'source/broken-link.md:8:5 error Link "#trades" goes nowhere: no heading or element has the id "trades". Did you mean "#trade"? (broken-link)',
      'source/broken-link.md:8:35 error Link "sibling.md" goes to a brief that does not exist (looked for sibling.md beside this one). (broken-link)',
    ]);
  });

  it('silences the rules a brief lists in ignore:, and says when an id is no rule', () => {
    const brief = report.briefs.find((candidate) => candidate.source === 'source/silenced.md')!;
    expect(brief.messages.map((message) => `${message.line}:${message.column} ${message.severity} ${message.message} (${message.rule})`)).toEqual([
      '4:24 warning ignore: "empty-secton" is not a rule of brief\'s, so it silences nothing. Did you mean "empty-section"? (unknown-rule)',
    ]);
  });

  it('passes any number of callouts and sidebars: each landmark has its own name', () => {
    expect(report.briefs.find((brief) => brief.source === 'source/boxes.md')!.messages).toEqual([]);
  });

  it('silences one axe rule with ignore: [axe/<rule>], and suggests the rule when the id is misspelt', () => {
    const messages = (name: string) => report.briefs.find((brief) => brief.source === `source/${name}.md`)!.messages.map((message) => `${message.line}:${message.column} ${message.severity} ${message.message.split(',')[0]} (${message.rule})`);
    expect(messages('axe-silenced')).toEqual([]);
    expect(messages('axe-misspelt')).toEqual([
      '5:10 warning ignore: "axe/colour-contrast" is not a rule of brief\'s (unknown-rule)',
      '10:4 error axe color-contrast (serious): Elements must meet minimum color contrast ratio thresholds (axe)',
    ]);
    expect(report.briefs.find((brief) => brief.source === 'source/axe-misspelt.md')!.messages[0]!.message).toContain('Did you mean "axe/color-contrast"?');
  });

  it('names the axe rule and the measured size in its messages', () => {
    const messages = Object.fromEntries(report.briefs.map((brief) => [brief.source, brief.messages]));
    expect(messages['source/axe.md']![0]!.message).toMatch(/^axe color-contrast \(serious\): Elements must meet minimum color contrast ratio thresholds, at /);
    expect(messages['source/overflow.md']![0]!.message).toMatch(/^A table is \d+\.\d\d in \(\d+ px\) wider than the page and is cut off at the right edge/);
    expect(messages['source/page-budget.md']![0]!.message).toMatch(/^The PDF has (\d+) pages, \d+ over the budget of 1 \(max_pages\)/);
    // Chrome moves a block that should not break to the next page before it splits it: the title is left alone.
    expect(messages['source/split-row.md']![0]!.message).toBe('Heading "A Checked Brief" is the last thing on page 1; its text starts on page 2. Keep it with its text (shorten what comes before, or break the page earlier).');
    expect(messages['source/split-row.md']![1]!.message).toMatch(/^A table row is split across pages 2 and 3\. It is \d+\.\d\d in tall; a page holds 9\.\d\d in\.$/);
    expect(messages['source/stranded-heading.md']![0]!.message).toBe('Heading "Stranded" is the last thing on page 1; its text starts on page 2. Keep it with its text (shorten what comes before, or break the page earlier).');
    expect(messages['source/missing-glyph.md']![1]!.message).toBe('No font of the template has "☔" (U+2614): it prints in a font of this computer, or as an empty box ("tofu").');
  });

  it('gives each message the category of its rule', () => {
    const categories = new Map(RULES.map((rule) => [rule.id, rule.category]));
    for (const brief of report.briefs) for (const message of brief.messages) expect(message.category, message.rule).toBe(categories.get(message.rule) ?? 'build');
  });

  it('leaves content problems as warnings in npm run build, which still succeeds', async () => {
    // Handouts only: the content rules run on the Markdown and the page, before any print.
    const build = await project.run(['build', 'source/broken-link.md', 'source/image-alt.md', '--force', '--format', 'html']);
    expect(build.code).toBe(0);
    expect(build.stderr).toContain('source/broken-link.md:8:5 warning Link "#trades" goes nowhere');
    expect(build.stderr).toContain('source/image-alt.md:8:1 warning Image "map.png" has no alternative text');
    // Layout and accessibility are checked only by npm run check.
    expect(build.stderr).not.toMatch(/\((overflow|axe|page-budget)\)/);
  });

  it('writes the report to --output FILE, JSON or text, and keeps stdout empty', async () => {
    // Briefs the build test above leaves alone: a brief it built again must be checked again, in Chrome.
    const json = await project.run(['check', 'source/broken-footnote.md', 'source/clean.md', '--format', 'json', '--output', 'reports/r.json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(json.stderr).toMatch(/Checked 2 briefs in [\d.]+ m?s: 2 errors, 0 warnings; failed\. Report written to reports\/r\.json\.\n$/);
    const written = JSON.parse(await project.read('reports/r.json')) as typeof report;
    expect(written.summary).toMatchObject({ briefs: 2, errors: 2, warnings: 0 });
    expect(written.briefs.map((brief) => [brief.source, brief.messages.length])).toEqual([['source/broken-footnote.md', 2], ['source/clean.md', 0]]);
    const text = await project.run(['check', 'source/warned.md', '--output', 'r.txt']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('');
    expect(await project.read('r.txt')).toMatch(/^source\/warned\.md:6:1 warning Section "Outlook" is empty\. \(empty-section\)\nChecked 1 brief in [\d.]+ m?s: 0 errors, 1 warning; passed, with warnings\.\n$/);
  });

  it('refuses a format it does not know (exit 2)', async () => {
    const result = await project.run(['check', '--format', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format takes text or json; got "xml".');
  });
});

describe('a trusted brief among others (unsafe_html: its raw HTML may run script)', () => {
  it("runs its script in a window of its own: it cannot change another brief's audit", async () => {
    // The trusted brief's script silences axe wherever it runs; six ordinary briefs are audited after it.
    const links = Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`source/b-link-${index + 1}.md`, `${head()}Text with [](https://example.org/) an empty link.\n`]));
    const mixed = await createProject({ 'source/a-trusted.md': `${head('unsafe_html: true\n')}Text.\n\n<script>window.axe.run = async () => ({ violations: [] });</script>\n`, ...links });
    try {
      const result = await mixed.run(['check', '--format', 'json']);
      const checked = JSON.parse(result.stdout) as typeof report;
      const flagged = checked.briefs.filter((brief) => brief.messages.some((message) => message.rule === 'axe' && message.message.startsWith('axe link-name'))).map((brief) => brief.source);
      expect(flagged).toEqual(Object.keys(links));
    } finally {
      await mixed.remove();
    }
  });
});

describe('the sample briefs', () => {
  it('pass npm run check -- --strict in English and Japanese', async () => {
    // Checked once for the run by global setup (tests/helpers/samples.ts), with npm run -s … --output.
    const { check } = await samples(inject('samples'));
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toBe('');
    expect(check.stderr).toMatch(/Checked 2 briefs in [\d.]+ m?s: 0 errors, 0 warnings; passed\. Report written to check\.json\.\n$/);
    expect(check.report.ok).toBe(true);
    expect(check.report.summary).toMatchObject({ briefs: 2, errors: 0, warnings: 0 });
    expect(check.report.briefs.map((brief) => brief.source)).toEqual(['source/us-japan-relations.md', 'source/us-japan-relations.ja.md']);
  });
});

/** The brand rule's messages on a config file with an accent too light for text, as "severity message (rule)" and as places. */
function brandCase(): { printed: string[]; places: string[] } {
  const file = new VFile({ path: 'brief.config.yaml', value: 'brand:\n  colors:\n    primary: "#12355b"\n    accent: "#f4a6b8"\n' });
  checkBrand(file, { colors: { primary: '#12355b', accent: '#f4a6b8' } });
  return {
    printed: file.messages.map((message) => `${RULES.find((rule) => rule.id === message.ruleId)!.severity} ${message.reason} (${message.ruleId})`),
    places: file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`),
  };
}

describe('the brand rule, on a config file', () => {
  it('finds a brand color too light for text, at its line', () => {
    expect(brandCase().places).toEqual(['4:13 brand-contrast']);
  });
});

const LAYOUT: LayoutMeasure = { contentWidth: 672, contentHeight: 883, overflows: [], headings: [], rows: [], images: [], refs: [] };
const NO_LINKS: PrintedLinks = { destinations: new Map(), links: new Map() };

/** What checkPrint says of some PDF facts, as "rule: message" and as "severity message (rule)". */
function judge(facts: PdfFacts, measured = LAYOUT, links: PrintedLinks = NO_LINKS): { found: string[]; printed: string[] } {
  const file = new VFile({ path: 'x.md', value: '---\ntitle: x\n---\n' });
  checkPrint(file, { facts, layout: measured, maxPages: undefined, bundledFonts: new Set(['SourceSerif4-Regular']), missing: [], places: bodyPlaces({ type: 'root', children: [] }, file), links });
  return {
    found: file.messages.map((message) => `${message.ruleId}: ${message.reason}`),
    printed: file.messages.map((message) => `${RULES.find((rule) => rule.id === message.ruleId)!.severity} ${message.reason} (${message.ruleId})`),
  };
}

/** PDFs made without brief (pdf-lib, or facts by hand), each with the layout (and links) it is judged with. */
const PDF_CASES: Record<string, () => Promise<{ facts: PdfFacts; layout: LayoutMeasure; links?: PrintedLinks }>> = {
  async footnotes() {
    const doc = await PDFDocument.create();
    doc.addPage();
    // A PDF with footnotes: its structure has Note elements.
    const facts = { ...readPdf(doc), structure: { role: 'StructTreeRoot', alt: undefined, content: [], children: [{ role: 'Note', alt: undefined, content: [], children: [] }] } };
    const refs = [
      { id: 'fnref-1', note: 'fn-1', mark: '9:20', label: '1' },
      { id: 'fnref-2', note: 'fn-2', mark: '14:52', label: '2' },
    ];
    // Note 1 at the foot of page 2 like its reference; note 2 cited on page 3, printed on page 4.
    const links = new Map([['fn-1', [2]], ['fnref-1', [2]], ['fn-2', [3]], ['fnref-2', [4]]]);
    return { facts, layout: { ...LAYOUT, refs }, links: { destinations: new Map(), links } };
  },
  async untagged() {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = doc.addPage();
    page.drawText('Hello', { x: 50, y: 700, font });
    page.drawText('again', { x: 50, y: 680, font });
    return { facts: readPdf(await PDFDocument.load(await doc.save())), layout: LAYOUT };
  },
  async type3() {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const type3 = doc.context.register(doc.context.obj({ Type: 'Font', Subtype: 'Type3', FontBBox: [0, 0, 1000, 1000], FontMatrix: [0.001, 0, 0, 0.001, 0, 0], CharProcs: {}, Encoding: { Type: 'Encoding', Differences: [] }, FirstChar: 0, LastChar: 0, Widths: [0] }));
    page.node.setFontDictionary(PDFName.of('T3'), type3);
    return { facts: readPdf(await PDFDocument.load(await doc.save())), layout: LAYOUT };
  },
  async structure() {
    const element = (role: string, children: PdfFacts['structure'][] = [], alt?: string) => ({ role, alt, content: [], children: children as NonNullable<PdfFacts['structure']>[] });
    const facts: PdfFacts = {
      pages: 1,
      pageHeight: 792,
      tagged: true,
      title: 'x',
      displayDocTitle: false,
      lang: 'en',
      fonts: [{ name: 'SourceSerif4-Regular', type: 'Type0/CIDFontType2', embedded: true }],
      structure: element('StructTreeRoot', [element('Document', [element('H1'), element('Figure', [element('Figure', [], 'A map')]), element('Figure'), element('H3')])]),
      untagged: [],
      contentPerPage: new Map([[1, 0]]),
    };
    return { facts, layout: { ...LAYOUT, headings: [{ mark: null, height: 40, text: 'x' }, { mark: '9:1', height: 20, text: 'Details' }] } };
  },
};

describe('the PDF rules, on PDFs made without brief', () => {
  it('finds a footnote printed on another page than its reference, from the PDF\'s links', async () => {
    const { facts, layout, links } = await PDF_CASES.footnotes!();
    expect(judge(facts, layout, links).found.filter((message) => message.startsWith('note-not-placed'))).toEqual([
      'note-not-placed: Footnote 2 could not be placed at the foot of page 3, where it is cited: it prints on page 4. It is taller than the room the page leaves it: shorten it, or split it into two notes.',
    ]);
  });

  it('finds an untagged PDF without title or language, in a font not bundled', async () => {
    const { facts, layout } = await PDF_CASES.untagged!();
    expect(judge(facts, layout).found).toEqual([
      'font-not-embedded: The font "Helvetica" is not embedded in the PDF: printers and readers will substitute another.',
      'pdf-tagged: The PDF is not tagged: screen readers get no structure (headings, lists, tables) and no reading order.',
      'pdf-title: The PDF has no title.',
      'pdf-language: The PDF has no document language (/Lang): screen readers cannot pick a voice.',
      'pdf-artifacts: The PDF has 2 marks that are neither tagged content nor artifacts (pages 1).',
    ]);
  });

  it('finds a Type 3 font (glyphs drawn as shapes, what Chromium falls back to without a real font)', async () => {
    const { facts, layout } = await PDF_CASES.type3!();
    expect(facts.fonts).toEqual([{ name: '', type: 'Type3', embedded: true }]);
    expect(judge(facts, layout).found.filter((message) => message.startsWith('font-not-embedded'))).toEqual([
      'font-not-embedded: The PDF draws text in a Type 3 font ("unnamed"): shapes without real font data, which print blurred and read badly. A glyph was missing from the loaded fonts when Chrome printed.',
    ]);
  });

  it('finds figures without alternative text and headings out of order in the structure tree', async () => {
    const { facts, layout } = await PDF_CASES.structure!();
    expect(judge(facts, layout).found).toEqual([
      'pdf-title: The PDF does not ask viewers to show its title: they show the file name instead (/DisplayDocTitle).',
      'pdf-figure-alt: Figure 3 in the PDF has no alternative text.',
      'pdf-heading-order: In the PDF\'s structure, heading "Details" (H3) follows an H1: readers navigating by heading miss a level.',
    ]);
  });
});

describe('artifacts in page content', () => {
  const stream = [
    'q 1 1 1 rg 0 0 612 792 re f Q',
    '/P <</MCID 0>> BDC BT /F1 12 Tf 72 700 Td (Tagged) Tj ET EMC',
    'BT /F1 9 Tf 72 40 Td (Page 1 of 2) Tj ET',
    'BT /P <</MCID 1>> BDC (More) Tj EMC (loose) Tj ET',
    '/Span <</ActualText (x)>> BDC BT (y) Tj ET EMC',
  ].join('\n');

  it('counts marks outside tagged content and artifacts', () => {
    expect(countUntagged(stream)).toBe(4);
    expect(paintedContent(stream)).toEqual([0, 1]);
  });

  it('wraps each of them in /Artifact BMC … EMC, leaving tagged content as it was', () => {
    const { text, marked } = markArtifacts(stream);
    expect(marked).toBe(4);
    expect(countUntagged(text)).toBe(0);
    expect(paintedContent(text)).toEqual([0, 1]);
    expect(text).toContain('q 1 1 1 rg /Artifact BMC\n0 0 612 792 re f EMC\nQ');
    expect(text).toContain('/Artifact BMC\nBT /F1 9 Tf 72 40 Td (Page 1 of 2) Tj ET');
    expect(text).toContain('EMC /Artifact BMC\n(loose) Tj EMC\nET');
    expect(markArtifacts(text).marked).toBe(0);
  });
});

describe('the README', () => {
  it('shows for every rule an example shaped like a message brief gives', async () => {
    // Quoted names, numbers and lists of pages vary; the wording may not. The messages are those
    // of this file's check run and of the PDFs made without brief, gathered here, not left by other tests.
    const shape = (text: string) => text.replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?(, \d+)*/g, 'N');
    const fromPdfs = await Promise.all(Object.values(PDF_CASES).map(async (make) => {
      const { facts, layout, links } = await make();
      return judge(facts, layout, links).printed;
    }));
    const shapes = new Set([...seen, ...fromPdfs.flat(), ...brandCase().printed].map(shape));
    for (const rule of RULES) {
      const example = /^\S+:\d+:\d+ (.*)$/.exec(rule.example)?.[1] ?? '';
      expect(example.endsWith(`(${rule.id})`), rule.id).toBe(true);
      expect(example.startsWith(`${rule.severity} `), rule.id).toBe(true);
      expect(shapes.has(shape(example)), `${rule.id}: ${example}`).toBe(true);
    }
  });
});
