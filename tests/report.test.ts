import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { letters, pdfFonts, pdfText } from './helpers/pdf.ts';
import { createProject, type TempProject } from './helpers/project.ts';
import { nuHtmlCheck } from './helpers/validators.ts';

/**
 * The brief of issue 11's "Done when": two charts drawn from data (one from a CSV beside it), a
 * table with a source note, four citations from a BibTeX file, a bibliography, and references
 * to figures, tables and sections, in English and Japanese. Built once, with every check.
 */
const run = promisify(execFile);
const FIXTURE = join(TOOL_ROOT, 'tests', 'fixtures', 'report');
const EDITIONS = ['report', 'report.ja'] as const;

let project: TempProject;
let check: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  project = await createProject();
  for (const name of await readdir(FIXTURE)) await project.write(`source/${name}`, await readFile(join(FIXTURE, name)));
  check = await project.run(['check', '--strict']);
});

afterAll(async () => {
  await project?.remove();
});

describe('the report showcase, in English and Japanese', () => {
  it('passes npm run check --strict: no errors, no warnings (axe on the handout included)', () => {
    const output = check.stdout + check.stderr;
    expect(output).toContain('Checked 2 briefs');
    expect(output).toContain('0 errors, 0 warnings; passed.');
    expect(output).not.toMatch(/\b(error|warning) /);
    // No axe-core finding on either handout: the check runs axe on each (charts.test.ts counts on it).
    expect(output).not.toContain('(axe)');
    expect(check.code).toBe(0);
  });

  it('embeds only the template’s bundled fonts in its PDFs', async () => {
    for (const edition of EDITIONS) {
      const fonts = await pdfFonts(join(project.root, 'output', `${edition}.pdf`));
      expect(fonts.length, edition).toBeGreaterThan(0);
      for (const font of fonts) {
        expect(font.embedded, `${edition}: ${font.name}`).toBe(true);
        expect(font.name, edition).toMatch(/^[A-Z]{6}\+(SourceSerif4|SourceSans3|SourceCodePro|NotoSansJP|NotoSerifJP)/);
      }
    }
  });

  it('has the charts’ labels and the cited works’ titles in its PDF text, and only the works cited', async () => {
    const en = letters(await pdfText(join(project.root, 'output', 'report.pdf')));
    for (const words of ['Growth (%)', 'Exports (US$ billion)', 'North America', '2009', 'Figure 1', 'Table 1', 'Section 2', 'Source: Ministry of Finance', 'Bibliography', 'Trade and Alliances in East Asia', 'The Alliance Dilemma', 'Economic Statecraft in Asia', 'U.S.-Japan Relations']) {
      expect(en, words).toContain(letters(words));
    }
    expect(en).not.toContain(letters('An Uncited Working Paper'));
    const ja = letters(await pdfText(join(project.root, 'output', 'report.ja.pdf')));
    for (const words of ['成長率（%）', '輸出額（10億ドル）', 'アジア', '図1', '表1', '出典：財務省', '参考文献', 'Trade and Alliances in East Asia', 'The Alliance Dilemma', 'Economic Statecraft in Asia']) {
      expect(ja, words).toContain(letters(words));
    }
  });

  it('has handouts the Nu Html Checker passes, with no script in them or in the PDFs', async () => {
    const handouts = EDITIONS.map((edition) => join(project.root, 'output', `${edition}.html`));
    expect(await nuHtmlCheck(handouts)).toEqual([]);
    for (const edition of EDITIONS) {
      expect(await project.read(`output/${edition}.html`)).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
      // Object streams unpacked, so every dictionary key is visible.
      const { stdout } = await run('qpdf', ['--qdf', '--object-streams=disable', join(project.root, 'output', `${edition}.pdf`), '-'], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' });
      expect(stdout, edition).not.toMatch(/\/(JavaScript|JS|AA|OpenAction)\b/);
    }
  });
});
