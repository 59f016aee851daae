import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { runChild } from './children.ts';
import { benchProject, median, type BenchRow } from './measure.ts';

/**
 * Issue 12: what placing footnotes at the foot of each page costs, per brief: the 40-note test
 * brief (tests/fixtures/footnotes, six pages and a contents list) printed with footnotes against
 * the same brief with `notes: endnotes`. Each build is of one brief, forced, with the stage timings
 * on (BRIEF_TIMINGS): the print stage (loads, prints, and for footnotes the placing) and the
 * prints placing took; and the whole build's wall time, npm's start included.
 */
export async function footnotes(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const fixture = join(TOOL_ROOT, 'tests', 'fixtures', 'footnotes', 'notes.md');
  const project = await benchProject({ 'notes.md': fixture });
  const source = await readFile(fixture, 'utf8');
  await writeFile(join(project.root, 'source', 'notes-end.md'), source.replace('toc: true\n', 'toc: true\nnotes: endnotes\n'));
  const rows: BenchRow[] = [
    { label: 'footnotes: print stage (placing included)', runsMs: [] },
    { label: 'endnotes: print stage', runsMs: [] },
  ];
  const walls: [number[], number[]] = [[], []];
  const prints: number[] = [];
  const build = async (brief: string) => {
    const start = performance.now();
    const { stdout } = await runChild('npm', ['run', 'build', '--', `source/${brief}`, '--force'], { cwd: project.root, env: { ...process.env, BRIEF_TIMINGS: '1' } });
    const wall = performance.now() - start;
    const pdf = /\bpdf (\d+) ms/.exec(stdout);
    if (!pdf) throw new Error(`No print timing in the build's output:\n${stdout}`);
    return { wall, pdf: Number(pdf[1]), prints: Number(/footnote prints (\d+)/.exec(stdout)?.[1] ?? 0) };
  };
  try {
    // One unmeasured build each: font caches, compiled CLI.
    await build('notes.md');
    await build('notes-end.md');
    for (let index = 0; index < runs; index++) {
      log(`  footnotes: run ${index + 1} of ${runs}`);
      const foot = await build('notes.md');
      const end = await build('notes-end.md');
      rows[0]!.runsMs.push(foot.pdf);
      rows[1]!.runsMs.push(end.pdf);
      walls[0].push(foot.wall);
      walls[1].push(end.wall);
      prints.push(foot.prints);
    }
    rows[0]!.note = `${Math.min(...prints)}–${Math.max(...prints)} prints in all; whole build ${Math.round(median(walls[0]))} ms`;
    rows[1]!.note = `2 prints (the second for the contents' page numbers); whole build ${Math.round(median(walls[1]))} ms`;
    return { rows, against: 'endnotes: print stage' };
  } finally {
    await project.remove();
  }
}
