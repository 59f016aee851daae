import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { SAMPLE_BRIEFS, samples } from './helpers/samples.ts';

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

/** The sample PDFs, built once for the run by global setup (tests/helpers/samples.ts). */
const built = await samples(inject('samples'));
let pagesDir: string;

beforeAll(async () => {
  pagesDir = await mkdtemp(join(TOOL_ROOT, 'tests', '.tmp', 'visual-'));
});

afterAll(async () => {
  await rm(pagesDir, { recursive: true, force: true });
});

const renders = new Map<string, Promise<Map<string, Buffer>>>();
/** Each brief's pages, rendered once (whichever test asks first). */
function renderPages(brief: string): Promise<Map<string, Buffer>> {
  if (!renders.has(brief)) renders.set(brief, render(brief));
  return renders.get(brief)!;
}

async function render(brief: string): Promise<Map<string, Buffer>> {
  const dir = join(pagesDir, brief);
  await mkdir(dir, { recursive: true });
  await run('pdftoppm', ['-r', String(DPI), '-png', built.output(`${brief}.pdf`), join(dir, 'page')]);
  const pages = new Map<string, Buffer>();
  for (const file of (await readdir(dir)).sort()) pages.set(`${brief}-${Number(/(\d+)\.png$/.exec(file)![1])}.png`, await readFile(join(dir, file)));
  return pages;
}

describe('the sample PDFs look as they did', () => {
  it.each(SAMPLE_BRIEFS)('%s matches its reference pages', async (brief) => {
    const pages = await renderPages(brief);
    const ofBrief = (name: string) => new RegExp(`^${brief.replace('.', '\\.')}-\\d+\\.png$`).test(name);
    if (UPDATE) {
      // The README shows page 1 of each edition (pages 1-2 of the English in-focus brief), and a
      // page of each edition of the report showcase, at a readable size.
      const shown = ({ 'us-japan-relations': [1], 'us-japan-relations.ja': [1], 'in-focus': [1, 2], 'in-focus.ja': [1], report: [2], 'report.ja': [1] } as Record<string, number[]>)[brief] ?? [];
      for (const page of shown) {
        await mkdir(join(TOOL_ROOT, 'docs', 'images'), { recursive: true });
        await run('pdftoppm', ['-r', '80', '-f', String(page), '-l', String(page), '-singlefile', '-png', built.output(`${brief}.pdf`), join(TOOL_ROOT, 'docs', 'images', `${brief}-page-${page}`)]);
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
    // Rendered here, not taken from the tests above: this test must hold when run alone.
    const rendered = new Set<string>();
    for (const brief of SAMPLE_BRIEFS) for (const name of (await renderPages(brief)).keys()) rendered.add(name);
    expect(rendered.size).toBeGreaterThanOrEqual(SAMPLE_BRIEFS.length);
    expect((await readdir(REFERENCES)).filter((name) => !rendered.has(name))).toEqual([]);
  });
});
