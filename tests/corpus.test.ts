import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { pdfInfo } from './helpers/pdf.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';

/** README.md files of npm packages, copied as they are (see tests/fixtures/corpus/SOURCES.txt). */
const CORPUS = join(TOOL_ROOT, 'tests', 'fixtures', 'corpus');

describe('a corpus of real Markdown nobody here wrote', () => {
  let project: TempProject;
  let names: string[];
  let html: CliResult;
  let pdf: CliResult;
  let printed: string[];
  beforeAll(async () => {
    names = (await readdir(CORPUS)).filter((name) => name.endsWith('.md')).sort();
    project = await createProject();
    const sizes = new Map<string, number>();
    for (const name of names) {
      const text = await readFile(join(CORPUS, name));
      sizes.set(name, text.length);
      await project.write(`source/${name}`, text);
    }
    // Every README in one build, as a folder of briefs is built.
    html = await project.run(['build', '--format', 'html']);
    // And ten of them as PDF too: the shortest (a page or so each), as printing, not length, is the point.
    printed = [...names].sort((a, b) => sizes.get(a)! - sizes.get(b)! || (a < b ? -1 : 1)).slice(0, 10);
    pdf = await project.run(['build', '--format', 'pdf', ...printed.map((name) => `source/${name}`)]);
  });
  afterAll(() => project.remove());

  it('builds at least 100 package READMEs as HTML, as they are, each with no error', () => {
    expect(names.length).toBeGreaterThanOrEqual(100);
    expect(html.stderr.split('\n').filter((line) => / error /.test(line))).toEqual([]);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain(`Built ${names.length} of ${names.length} briefs`);
  });

  it('prints at least 10 of them as PDF with no error, titled from their first heading', async () => {
    expect(printed.length).toBeGreaterThanOrEqual(10);
    expect(pdf.stderr.split('\n').filter((line) => / error /.test(line))).toEqual([]);
    expect(pdf.code).toBe(0);
    const titled = await Promise.all(printed.map(async (name) => (await pdfInfo(join(project.root, 'output', name.replace(/\.md$/, '.pdf')))).Title));
    expect(titled.every((title) => title && title.length > 0)).toBe(true);
    // Each took its title from its first heading or, failing that, its file name: never empty, never "Test".
    expect(new Set(titled).size).toBe(printed.length);
  });

  it('says each kind of noise once per brief: remote badges, one message per host', () => {
    const remote = html.stderr.split('\n').filter((line) => line.endsWith('(remote-image)'));
    const perHost = new Map<string, number>();
    for (const line of remote) {
      const key = `${line.split(':')[0]} ${/is not fetched: (\S+) is not in allow_remote/.exec(line)?.[1]}`;
      perHost.set(key, (perHost.get(key) ?? 0) + 1);
    }
    expect(remote.length).toBeGreaterThan(10);
    expect([...perHost.values()].every((count) => count === 1)).toBe(true);
    expect(remote.some((line) => / The same for \d+ more/.test(line))).toBe(true);
  });
});
