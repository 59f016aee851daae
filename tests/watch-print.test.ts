import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfFonts, pdfOutline, pdfText, qpdfCheck } from './helpers/pdf.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { startCli, type CliProcess } from './helpers/spawn.ts';

/**
 * What watch mode prints is what npm run build prints: a brief rebuilt on a page that has shown
 * other documents (and other versions of it) gives the bytes a fresh build gives.
 */

/** Two pages: a table whose header cells the PDF names, footnotes, words long enough to hyphenate, a link to the other brief. */
const paragraph = (n: number) => `Paragraph ${n}: the intergovernmental consultations on counterproliferation, reconstruction and telecommunications interoperability continued throughout the negotiations, with representatives characterizing the outcome as unprecedented.\n\n`;
const body = (edit: string) =>
  `## Background\n\nThe alliance[^a] anchors the region; see [the other brief](b.md).\n\n| Year | Troops |\n|------|-------:|\n| 2008 | 53,000 |\n| 2009 | 52,000 |\n\n` +
  Array.from({ length: 9 }, (_, index) => paragraph(index + 1)).join('') +
  `## Outlook\n\n${edit}\n\nThe economy[^b] will dominate the agenda.\n\n` +
  Array.from({ length: 6 }, (_, index) => paragraph(index + 10)).join('') +
  `[^a]: The first note, about the alliance.\n[^b]: The second note, about the economy.\n`;

let project: TempProject;
let watch: CliProcess;
let watched: { pdf: Buffer; html: string };

/** Resolves once watch mode has finished its `count`-th build of one brief. */
const rebuilt = (count: number) => watch.waitFor(new RegExp(`(Built 1 of 1 brief[^\\n]*\\n[\\s\\S]*){${count}}`), 60_000);

beforeAll(async () => {
  project = await createProject({ 'source/a.md': brief(body('First version.'), { title: 'Alpha' }), 'source/b.md': brief('Beta.\n', { title: 'Beta' }) });
  watch = startCli(['watch', '--port', '0'], project.root);
  await watch.waitFor(/Built 2 of 2 briefs/, 60_000);
  // An edit near the end (the first page prints as before), then one near the start (every page changes).
  await project.write('source/a.md', brief(body('Second version, edited near the end of the brief.'), { title: 'Alpha' }));
  await rebuilt(1);
  await project.write('source/a.md', brief(body('Third version.').replace('anchors the region', 'anchors the whole region'), { title: 'Alpha' }));
  await rebuilt(2);
  watched = { pdf: await readFile(join(project.root, 'output', 'a.pdf')), html: await project.read('output/a.html') };
  watch.child.kill('SIGINT');
  await watch.exited;
}, 180_000);

afterAll(async () => {
  if (watch && watch.child.exitCode === null) watch.child.kill('SIGINT');
  await project?.remove();
});

describe('watch mode prints what npm run build prints', () => {
  it('writes the PDF and the handout of an edited brief byte for byte as a fresh build of the same source does', async () => {
    const fresh = await project.run(['build', 'source/a.md', '--out', 'fresh']);
    expect(fresh.code).toBe(0);
    expect(Buffer.compare(watched.pdf, await readFile(join(project.root, 'fresh', 'a.pdf')))).toBe(0);
    expect(watched.html).toBe(await project.read('fresh/a.html'));
    expect(watched.html).toContain('Third version.');
  }, 120_000);

  it('keeps the PDF tagged, outlined, with its fonts embedded and each footnote on its reference’s page', async () => {
    const path = join(project.root, 'output', 'a.pdf');
    expect((await qpdfCheck(path)).ok).toBe(true);
    expect(watched.pdf.includes('/StructTreeRoot')).toBe(true);
    expect((await pdfOutline(path)).map((entry) => entry.title)).toEqual(['Alpha', 'Background', 'Outlook', 'About this brief', 'Suggested citation']);
    const fonts = await pdfFonts(path);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((font) => font.type === 'Type 3' || !font.embedded)).toEqual([]);
    const first = await pdfText(path, 1);
    expect(first).toContain('The first note, about the alliance.');
    const secondNotePage = (await pdfText(path, 2)).includes('The economy') ? 2 : 1;
    expect(await pdfText(path, secondNotePage)).toContain('The second note, about the economy.');
  });
});
