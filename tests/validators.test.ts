import { readdir } from 'node:fs/promises';
import type { Browser } from 'puppeteer';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pdfFonts, pdfInfo, qpdfCheck } from './helpers/pdf.ts';
import { samples } from './helpers/samples.ts';
import { axeViolations, testBrowser, nuHtmlCheck } from './helpers/validators.ts';

/** The samples as `npm run build` built them once for the whole run (tests/helpers/samples.ts). */
const built = await samples(inject('samples'));
let browser: Browser;
let htmls: string[];
let pdfs: string[];

beforeAll(async () => {
  const outputs = (await readdir(built.output('.'))).filter((name) => name.startsWith('us-japan-relations'));
  htmls = outputs.filter((name) => name.endsWith('.html')).map((name) => built.output(name));
  pdfs = outputs.filter((name) => name.endsWith('.pdf')).map((name) => built.output(name));
  browser = await testBrowser();
});

describe('the sample briefs, judged by validators nobody here wrote', () => {
  it('builds both editions, with nothing on stderr', () => {
    expect(built.build.stderr).toBe('');
    expect(built.build.code).toBe(0);
    expect(htmls.map((path) => path.split('/').pop()).sort()).toEqual(['us-japan-relations.html', 'us-japan-relations.ja.html']);
    expect(pdfs).toHaveLength(2);
  });

  it('passes the Nu Html Checker with no errors or warnings', async () => {
    expect(await nuHtmlCheck(htmls)).toEqual([]);
  });

  it('passes axe-core with no violations', async () => {
    for (const html of htmls) expect(await axeViolations(browser, html), html).toEqual([]);
  });

  it('passes qpdf --check, with every font embedded and none of Type 3', async () => {
    for (const pdf of pdfs) {
      expect((await qpdfCheck(pdf)).ok, pdf).toBe(true);
      const fonts = await pdfFonts(pdf);
      expect(fonts.filter((font) => font.type === 'Type 3' || !font.embedded), pdf).toEqual([]);
      expect((await pdfInfo(pdf)).Tagged).toBe('yes');
    }
  });
});
