import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { createProject, type TempProject } from './helpers/project.ts';

/**
 * Visual regression: every page of the sample PDFs, rendered small by poppler, against the
 * reference images in tests/visual/. A deliberate change to the layout updates them with
 * `npm run visuals` (and the new images are reviewed in the commit).
 */
const run = promisify(execFile);
const REFERENCES = join(TOOL_ROOT, 'tests', 'visual');
const UPDATE = process.env.UPDATE_VISUALS === '1';
const DPI = 36;
/** Share of pixels allowed to differ (anti-aliasing noise), and how different a pixel must be to count. */
const TOLERANCE = 0.005;
const PIXEL_THRESHOLD = 0.2;

let project: TempProject;
const rendered = new Set<string>();
/**
 * The policy-brief layout (the seed, the showcase, and issue 11's report with charts and
 * citations) and the in-focus layout (the seed again), both editions.
 */
const briefs = ['us-japan-relations', 'us-japan-relations.ja', 'showcase', 'report', 'report.ja', 'in-focus', 'in-focus.ja'];

beforeAll(async () => {
  project = await createProject();
  for (const name of ['us-japan-relations.md', 'us-japan-relations.ja.md']) await project.write(`source/${name}`, await readFile(join(TOOL_ROOT, 'source', name)));
  for (const name of ['showcase.md', 'map.png']) await project.write(`source/${name}`, await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'showcase', name)));
  // The seed in the second layout: the same text, with `template: in-focus`, the layout's own series and a number.
  for (const [from, to] of [['us-japan-relations.md', 'in-focus.md'], ['us-japan-relations.ja.md', 'in-focus.ja.md']] as const) {
    const text = await readFile(join(TOOL_ROOT, 'source', from), 'utf8');
    await project.write(`source/${to}`, text.replace(/^---\n/, '---\ntemplate: in-focus\nnumber: IF10199\n').replace(/^series: .*\n/m, '').replace('href: us-japan-relations.ja.md', 'href: in-focus.ja.md').replace('href: us-japan-relations.md', 'href: in-focus.md'));
  }
  // Issue 11's brief: charts from data, a table with its source, citations, cross-references.
  const report = join(TOOL_ROOT, 'tests', 'fixtures', 'report');
  for (const name of await readdir(report)) await project.write(`source/${name}`, await readFile(join(report, name)));
  const result = await project.run(['build', '--format', 'pdf']);
  expect(result.code, result.stderr).toBe(0);
});

afterAll(async () => {
  await project.remove();
});

async function renderPages(brief: string): Promise<Map<string, Buffer>> {
  const dir = join(project.root, 'pages', brief);
  await mkdir(dir, { recursive: true });
  await run('pdftoppm', ['-r', String(DPI), '-png', join(project.root, 'output', `${brief}.pdf`), join(dir, 'page')]);
  const pages = new Map<string, Buffer>();
  for (const file of (await readdir(dir)).sort()) pages.set(`${brief}-${Number(/(\d+)\.png$/.exec(file)![1])}.png`, await readFile(join(dir, file)));
  for (const name of pages.keys()) rendered.add(name);
  return pages;
}

describe('the sample PDFs look as they did', () => {
  it.each(briefs)('%s matches its reference pages', async (brief) => {
    const pages = await renderPages(brief);
    const ofBrief = (name: string) => new RegExp(`^${brief.replace('.', '\\.')}-\\d+\\.png$`).test(name);
    if (UPDATE) {
      // The README shows page 1 of each edition (pages 1-2 of the English in-focus brief), and a
      // page of each edition of the report showcase, at a readable size.
      const shown = ({ 'us-japan-relations': [1], 'us-japan-relations.ja': [1], 'in-focus': [1, 2], 'in-focus.ja': [1], report: [2], 'report.ja': [1] } as Record<string, number[]>)[brief] ?? [];
      for (const page of shown) {
        await mkdir(join(TOOL_ROOT, 'docs', 'images'), { recursive: true });
        await run('pdftoppm', ['-r', '80', '-f', String(page), '-l', String(page), '-singlefile', '-png', join(project.root, 'output', `${brief}.pdf`), join(TOOL_ROOT, 'docs', 'images', `${brief}-page-${page}`)]);
      }
      await mkdir(REFERENCES, { recursive: true });
      for (const file of (await readdir(REFERENCES)).filter(ofBrief)) await rm(join(REFERENCES, file));
      for (const [name, png] of pages) await writeFile(join(REFERENCES, name), png);
      return;
    }
    const expected = (await readdir(REFERENCES)).filter(ofBrief);
    expect([...pages.keys()].sort(), 'page count').toEqual(expected.sort());
    for (const [name, png] of pages) {
      const actual = PNG.sync.read(png);
      const reference = PNG.sync.read(await readFile(join(REFERENCES, name)));
      expect([actual.width, actual.height], `${name} size`).toEqual([reference.width, reference.height]);
      const diff = new PNG({ width: actual.width, height: actual.height });
      const changed = pixelmatch(actual.data, reference.data, diff.data, actual.width, actual.height, { threshold: PIXEL_THRESHOLD });
      const share = changed / (actual.width * actual.height);
      if (share > TOLERANCE) {
        const path = join(TOOL_ROOT, 'tests', '.tmp', `diff-${name}`);
        await writeFile(path, PNG.sync.write(diff));
        expect.fail(`${name}: ${(share * 100).toFixed(2)}% of pixels differ (allowed ${TOLERANCE * 100}%); see ${path}. If the change is deliberate, run npm run visuals.`);
      }
    }
  });

  it('keeps no reference image for a page that no longer exists', async () => {
    expect(rendered.size).toBeGreaterThan(0);
    expect((await readdir(REFERENCES)).filter((name) => !rendered.has(name))).toEqual([]);
  });
});
