import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { samples } from './helpers/samples.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { letters, pdfFonts, pdfInfo, pdfLang, pdfOutline, pdfText, qpdfCheck } from './helpers/pdf.ts';

// The original page text the seed brief was made from (a copy of ../shared/seeds/, so a clone alone runs the suite).
const SEED = join(TOOL_ROOT, 'tests', 'fixtures', 'seed', 'us-japan-relations.txt');

/** The article's sentences, from the original page text (its five paragraphs). */
async function seedSentences(): Promise<string[]> {
  const text = await readFile(SEED, 'utf8');
  const paragraphs = text.split(/\n\s*\n/).map((part) => part.trim()).slice(3, 8);
  return paragraphs.flatMap((paragraph) => paragraph.split(/(?<=[a-z0-9)%]\.)\s+(?=[A-Z])/));
}

/** The PDF's text without the running header and footer, so sentences across pages read on. */
async function bodyText(path: string): Promise<string> {
  const pages = Number((await pdfInfo(path)).Pages);
  const margins = new Set(['U.S.-Japan Relations', 'Embassy of the United States, Tokyo', 'Embassy of the United States, Tokyo · September 2009']);
  let text = '';
  for (let page = 1; page <= pages; page++) {
    const lines = (await pdfText(path, page)).split('\n');
    text += lines.filter((line, index) => !(page > 1 && (margins.has(line.trim()) || /^Page \d+ of \d+$/.test(line.trim())) && (index < 4 || index > lines.length - 6))).join('\n');
  }
  return text;
}

/** The seed brief, built once for the run with `npm run build` by global setup (tests/helpers/samples.ts). */
const built = await samples(inject('samples'));
const build = built.build;
const pdf = () => built.output('us-japan-relations.pdf');

describe('the seed brief, built with npm run build', () => {
  it('says what was built, where, and how long it took', () => {
    expect(build.stdout).toMatch(/✓ source\/us-japan-relations\.md → output\/us-japan-relations\.html \(\d+ KB\), output\/us-japan-relations\.pdf \(\d+ KB, \d pages\)\s+\d/);
    expect(build.stdout).toMatch(/Built 7 of 7 briefs in [\d.]+ m?s\./);
  });

  it('passes qpdf --check', async () => {
    const check = await qpdfCheck(pdf());
    expect(check.output).toContain('No syntax or stream encoding errors found');
    expect(check.ok).toBe(true);
  });

  it('has every sentence of the article, in order', async () => {
    const text = letters(await bodyText(pdf()));
    let from = 0;
    for (const sentence of await seedSentences()) {
      const at = text.indexOf(letters(sentence), from);
      expect(at, `sentence not found after position ${from}: ${sentence}`).toBeGreaterThanOrEqual(from);
      from = at + letters(sentence).length;
    }
  });

  it('is hyphenated on paper but reads as whole words (no soft hyphens in its text)', async () => {
    const text = await pdfText(pdf());
    expect(text).not.toContain('\u00ad');
    expect(text).toMatch(/legislature|legis-\nlature|leg-\nislature/);
  });

  it('numbers every page after the first "Page X of Y", and not the first', async () => {
    const info = await pdfInfo(pdf());
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(await pdfText(pdf(), 1)).not.toMatch(/Page \d+ of \d+/);
    for (let page = 2; page <= pages; page++) {
      const text = await pdfText(pdf(), page);
      expect(text).toContain(`Page ${page} of ${pages}`);
      expect(text).toContain('U.S.-Japan Relations');
    }
  });

  it('carries the metadata of the front matter', async () => {
    const info = await pdfInfo(pdf());
    expect(info).toMatchObject({
      Title: 'U.S.-Japan Relations',
      Author: 'Embassy of the United States, Tokyo',
      Keywords: 'Japan, United States, alliance, security, trade, DPJ, LDP',
      Tagged: 'yes',
      Creator: expect.stringMatching(/^brief \d+\.\d+\.\d+$/),
      'Page size': expect.stringContaining('letter'),
    });
    expect(info.Subject).toMatch(/^The post-World War II U\.S\.-Japan alliance anchors/);
    expect(info.CreationDate).toMatch(/^2009-09-01T00:00:00/);
    expect(await pdfLang(pdf())).toBe('en');
  });

  it('has an outline of its headings, each opening its page', async () => {
    const outline = await pdfOutline(pdf());
    expect(outline.map((entry) => entry.title)).toEqual(['U.S.-Japan Relations', 'Key points', 'At a glance', 'Overview', 'About this brief', 'Suggested citation']);
    expect(outline[0]).toMatchObject({ depth: 1, page: 1 });
    expect(outline.find((entry) => entry.title === 'Overview')).toMatchObject({ depth: 2, page: 1 });
    const last = outline.find((entry) => entry.title === 'About this brief')!;
    expect(await pdfText(pdf(), last.page)).toContain('About this brief');
  });

  it('embeds every font as a real font: no Type 3, nothing from the system', async () => {
    const fonts = await pdfFonts(pdf());
    expect(fonts.length).toBeGreaterThan(2);
    for (const font of fonts) {
      expect(font.type).not.toBe('Type 3');
      expect(font.embedded).toBe(true);
      expect(font.name).toMatch(/^[A-Z]{6}\+(SourceSerif4|SourceSans3|NotoSansJP|NotoSerifJP|SourceCodePro)-/);
    }
  });

  it('writes a handout with its language, title, description and landmarks', async () => {
    const html = await readFile(built.output('us-japan-relations.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('<title>U.S.-Japan Relations</title>');
    expect(html).toContain('<meta name="description" content="The post-World War II U.S.-Japan alliance anchors');
    for (const landmark of ['<header', '<main', '<footer', '<nav']) expect(html).toContain(landmark);
    expect(html).toContain('<style media="print">');
    expect(html).not.toMatch(/<(link|script)[^>]+(href|src)="https?:/);
  });
});
