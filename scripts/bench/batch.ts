import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { TOOL_ROOT } from '../paths.ts';
import { CHROME_ARGS } from '../pipeline/browser.ts';
import { defaultJobs } from '../pipeline/settings.ts';
import { splitFrontMatter } from '../pipeline/split-front-matter.ts';
import { resolveChrome } from '../setup/chrome.ts';
import { benchProject, median, type BenchRow } from './measure.ts';

/** How many briefs the batch benchmark builds. */
const COUNT = 100;
/** How many files md-to-pdf is given per run (it converts all it is given at once). */
const MD_TO_PDF_BATCH = 10;

/**
 * Issue 5: 100 briefs the size of the seed, built from scratch with `npm run build -- --force`,
 * against md-to-pdf converting the same 100 Markdown files with the same Chromium, in the same
 * run; with the peak memory of each whole process tree (Chrome included), and brief's time at
 * each --jobs from 1 to 4 (the figure behind the default).
 */
export async function batch(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const project = await benchProject({});
  const chrome = (await resolveChrome({ env: process.env, install: false })).executablePath;
  try {
    const seed = await readFile(join(TOOL_ROOT, 'source', 'us-japan-relations.md'), 'utf8');
    await mkdir(join(project.root, 'md'), { recursive: true });
    for (let index = 1; index <= COUNT; index++) {
      const text = variant(seed, index);
      await writeFile(join(project.root, 'source', `brief-${String(index).padStart(3, '0')}.md`), text);
      // md-to-pdf reads front matter as its own config: give it the body only.
      const split = splitFrontMatter(text);
      await writeFile(join(project.root, 'md', `brief-${String(index).padStart(3, '0')}.md`), `# Brief ${index}\n${split.kind === 'yaml' ? split.body : text}`);
    }
    const rows: BenchRow[] = [
      { label: `brief: ${COUNT} briefs, HTML + PDF (--jobs ${defaultJobs()})`, runsMs: [] },
      { label: `md-to-pdf: the same ${COUNT}, PDF only, ${MD_TO_PDF_BATCH} at a time`, runsMs: [] },
    ];
    let briefPeak = 0;
    let mdPeak = 0;
    for (let run = 0; run < runs; run++) {
      log(`  batch: run ${run + 1} of ${runs}`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      const ours = await measureTree('npm', ['run', 'build', '--', '--force'], project.root);
      rows[0]!.runsMs.push(ours.ms);
      briefPeak = Math.max(briefPeak, ours.peakMb);
      await removePdfs(join(project.root, 'md'));
      const files = readdirSync(join(project.root, 'md')).filter((name) => name.endsWith('.md')).map((name) => join('md', name));
      // md-to-pdf opens a page for every file on its command line at once; given all 100 on two
      // cores its navigations time out after 30 s. Ten at a time is what it manages.
      let theirs = 0;
      for (let first = 0; first < files.length; first += MD_TO_PDF_BATCH) {
        const part = await measureTree(join(TOOL_ROOT, 'node_modules', '.bin', 'md-to-pdf'), ['--launch-options', JSON.stringify({ executablePath: chrome, args: CHROME_ARGS }), ...files.slice(first, first + MD_TO_PDF_BATCH)], project.root);
        theirs += part.ms;
        mdPeak = Math.max(mdPeak, part.peakMb);
      }
      rows[1]!.runsMs.push(theirs);
    }
    const ours = median(rows[0]!.runsMs);
    const theirs = median(rows[1]!.runsMs);
    rows[0]!.note = `${(COUNT / (ours / 1000)).toFixed(1)} briefs/s, ${Math.round(ours / COUNT)} ms a brief, peak ${Math.round(briefPeak)} MB`;
    rows[1]!.note = `${(COUNT / (theirs / 1000)).toFixed(1)} briefs/s, ${Math.round(theirs / COUNT)} ms a brief, peak ${Math.round(mdPeak)} MB`;
    for (const jobs of [1, 2, 3, 4]) {
      log(`  batch: --jobs ${jobs}`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      const result = await measureTree('npm', ['run', 'build', '--', '--force', '--jobs', String(jobs)], project.root);
      rows.push({ label: `brief --jobs ${jobs}`, runsMs: [result.ms], note: `${Math.round(result.ms / COUNT)} ms a brief, peak ${Math.round(result.peakMb)} MB` });
    }
    return { rows, against: `md-to-pdf: the same ${COUNT}, PDF only, ${MD_TO_PDF_BATCH} at a time` };
  } finally {
    await project.remove();
  }
}

/** The seed brief, made brief number `index`: its own title and date, its paragraphs in another order. */
function variant(seed: string, index: number): string {
  const split = splitFrontMatter(seed);
  if (split.kind !== 'yaml') throw new Error('The seed brief has no YAML front matter.');
  const matter = parseDocument(split.yaml);
  matter.set('title', `U.S.-Japan Relations, Brief ${index}`);
  matter.set('date', `2009-09-${String((index % 28) + 1).padStart(2, '0')}`);
  matter.delete('translations');
  const paragraphs = split.body.trim().split(/\n\n/);
  const heading = paragraphs.shift()!;
  const rotated = [...paragraphs.slice(index % paragraphs.length), ...paragraphs.slice(0, index % paragraphs.length)];
  return `---\n${String(matter)}---\n\n${heading}\n\n${rotated.join('\n\n')}\n\nThis is brief number ${index} of the benchmark.\n`;
}

async function removePdfs(dir: string): Promise<void> {
  for (const name of readdirSync(dir)) if (name.endsWith('.pdf')) await rm(join(dir, name));
}

/**
 * Runs a command and measures its wall time and the peak memory of its whole process tree
 * (every descendant, Chrome included), as proportional set size, sampled every 50 ms.
 */
export async function measureTree(command: string, args: string[], cwd: string): Promise<{ ms: number; peakMb: number }> {
  const start = performance.now();
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeMemoryKb(child.pid));
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${command} ${args.slice(0, 4).join(' ')}… exited ${code}:\n${stderr.slice(-2000)}`);
  return { ms: performance.now() - start, peakMb: peak / 1024 };
}

/** Sum of the proportional set size (kB) of a process and all its descendants, from /proc. */
function treeMemoryKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // Gone, or not ours to read.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}
