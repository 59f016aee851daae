import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { runCli } from './helpers/project.ts';
import { pdfFonts, pdfInfo, qpdfCheck } from './helpers/pdf.ts';
import { axeViolations, launchTestBrowser, nuHtmlCheck } from './helpers/validators.ts';

let project: string;
let browser: Browser;
let htmls: string[];
let pdfs: string[];

beforeAll(async () => {
  project = await mkdtemp(join(TOOL_ROOT, 'tests', '.tmp', 'validate-'));
  await cp(join(TOOL_ROOT, 'templates'), join(project, 'templates'), { recursive: true });
  await cp(join(TOOL_ROOT, 'source'), join(project, 'source'), { recursive: true });
  const result = await runCli(['build'], project);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const outputs = await readdir(join(project, 'output'));
  htmls = outputs.filter((name) => name.endsWith('.html') && name !== 'index.html').map((name) => join(project, 'output', name));
  pdfs = outputs.filter((name) => name.endsWith('.pdf')).map((name) => join(project, 'output', name));
  browser = await launchTestBrowser();
});

afterAll(async () => {
  await browser?.close();
  await rm(project, { recursive: true, force: true });
});

describe('the sample briefs, judged by validators nobody here wrote', () => {
  it('builds both editions', () => {
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
