import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { TOOL_ROOT } from '../paths.ts';
import { CHROME_ARGS } from '../pipeline/browser.ts';
import { processStats } from '../pipeline/processes.ts';
import { defaultJobs } from '../pipeline/settings.ts';
import { splitFrontMatter } from '../pipeline/split-front-matter.ts';
import { resolveChrome } from '../setup/chrome.ts';
import { spawnChild } from './children.ts';
import { benchProject, childCpuMs, median, type BenchRow } from './measure.ts';

/** brief's Chrome flags for md-to-pdf's Chrome, less the rule that no host resolves: md-to-pdf serves its page from localhost. */
const MD_TO_PDF_ARGS = CHROME_ARGS.filter((arg) => !arg.startsWith('--host-resolver-rules'));
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
    await writeBriefs(project.root, COUNT, { mdToPdf: true });
    // The first npm run of a copy compiles the CLI (esbuild, ~150 MB): not part of any build.
    await measureTree('npm', ['run', 'build', '--', '--help'], project.root);
    const rows: BenchRow[] = [
      { label: `brief: ${COUNT} briefs, HTML + PDF (--jobs ${defaultJobs()})`, runsMs: [], cpuMs: [] },
      { label: `md-to-pdf: the same ${COUNT}, PDF only, ${MD_TO_PDF_BATCH} at a time`, runsMs: [], cpuMs: [] },
    ];
    let briefPeak = 0;
    let mdPeak = 0;
    for (let run = 0; run < runs; run++) {
      log(`  batch: run ${run + 1} of ${runs}`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      const ours = await measureTree('npm', ['run', 'build', '--', '--force'], project.root);
      rows[0]!.runsMs.push(ours.ms);
      rows[0]!.cpuMs!.push(ours.cpuMs);
      briefPeak = Math.max(briefPeak, ours.peakMb);
      await removePdfs(join(project.root, 'md'));
      const files = readdirSync(join(project.root, 'md')).filter((name) => name.endsWith('.md')).map((name) => join('md', name));
      // md-to-pdf opens a page for every file on its command line at once; given all 100 on two
      // cores its navigations time out after 30 s. Ten at a time is what it manages.
      let theirs = 0;
      let theirsCpu = 0;
      for (let first = 0; first < files.length; first += MD_TO_PDF_BATCH) {
        const part = await measureTree(join(TOOL_ROOT, 'node_modules', '.bin', 'md-to-pdf'), ['--launch-options', JSON.stringify({ executablePath: chrome, args: MD_TO_PDF_ARGS }), ...files.slice(first, first + MD_TO_PDF_BATCH)], project.root);
        theirs += part.ms;
        theirsCpu += part.cpuMs;
        mdPeak = Math.max(mdPeak, part.peakMb);
      }
      rows[1]!.runsMs.push(theirs);
      rows[1]!.cpuMs!.push(theirsCpu);
    }
    const ours = median(rows[0]!.runsMs);
    const theirs = median(rows[1]!.runsMs);
    rows[0]!.note = `${(COUNT / (ours / 1000)).toFixed(1)} briefs/s, ${Math.round(ours / COUNT)} ms a brief, peak ${Math.round(briefPeak)} MB`;
    rows[1]!.note = `${(COUNT / (theirs / 1000)).toFixed(1)} briefs/s, ${Math.round(theirs / COUNT)} ms a brief, peak ${Math.round(mdPeak)} MB`;
    for (const jobs of [1, 2, 3, 4]) {
      log(`  batch: --jobs ${jobs}`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      const result = await measureTree('npm', ['run', 'build', '--', '--force', '--jobs', String(jobs)], project.root);
      rows.push({ label: `brief --jobs ${jobs}`, runsMs: [result.ms], cpuMs: [result.cpuMs], note: `${Math.round(result.ms / COUNT)} ms a brief, peak ${Math.round(result.peakMb)} MB` });
    }
    return { rows, against: `md-to-pdf: the same ${COUNT}, PDF only, ${MD_TO_PDF_BATCH} at a time` };
  } finally {
    await project.remove();
  }
}

/** How many briefs the long batch builds: ten times the batch. */
const LONG_COUNT = 1000;

/**
 * Opt-in (`npm run bench -- batch1000`, some minutes): the first 100 briefs, then 1,000, each built
 * once from scratch with the default --jobs. A build that holds nothing per brief takes ten times
 * as long for ten times the briefs, in the same peak memory.
 */
export async function batch1000(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const project = await benchProject({});
  try {
    const rows: BenchRow[] = [];
    await measureTree('npm', ['run', 'build', '--', '--help'], project.root);
    for (const count of [COUNT, LONG_COUNT]) {
      await writeBriefs(project.root, count, { mdToPdf: false });
      const row: BenchRow = { label: `brief: ${count} briefs, HTML + PDF (--jobs ${defaultJobs()})`, runsMs: [], cpuMs: [] };
      let peak = 0;
      // The long build once: it alone takes minutes.
      for (let run = 0; run < (count === COUNT ? runs : 1); run++) {
        log(`  batch1000: ${count} briefs, run ${run + 1}`);
        await rm(join(project.root, 'output'), { recursive: true, force: true });
        const result = await measureTree('npm', ['run', 'build', '--', '--force'], project.root);
        row.runsMs.push(result.ms);
        row.cpuMs!.push(result.cpuMs);
        peak = Math.max(peak, result.peakMb);
      }
      row.note = `${Math.round(median(row.runsMs) / count)} ms a brief, peak ${Math.round(peak)} MB`;
      rows.push(row);
    }
    return { rows, against: rows[0]!.label };
  } finally {
    await project.remove();
  }
}

/** Writes `count` variants of the seed into the project's source/ (and, for md-to-pdf, their bodies into md/). */
async function writeBriefs(root: string, count: number, options: { mdToPdf: boolean }): Promise<void> {
  const seed = await readFile(join(TOOL_ROOT, 'source', 'us-japan-relations.md'), 'utf8');
  if (options.mdToPdf) await mkdir(join(root, 'md'), { recursive: true });
  for (let index = 1; index <= count; index++) {
    const text = variant(seed, index);
    const name = `brief-${String(index).padStart(4, '0')}.md`;
    await writeFile(join(root, 'source', name), text);
    // md-to-pdf reads front matter as its own config: give it the body only.
    const split = splitFrontMatter(text);
    if (options.mdToPdf) await writeFile(join(root, 'md', name), `# Brief ${index}\n${split.kind === 'yaml' ? split.body : text}`);
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
 * Runs a command and measures its wall time, its CPU time (user + system, of everything it ran
 * and waited for, as bash's `times` reports it) and the peak memory of its whole process tree
 * (every descendant, Chrome included), as proportional set size, sampled every 50 ms.
 */
export async function measureTree(command: string, args: string[], cwd: string): Promise<{ ms: number; cpuMs: number; peakMb: number }> {
  const start = performance.now();
  const child = spawnChild('bash', ['-c', '"$@" >/dev/null || exit $?; times >&2', 'bench', command, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeMemoryKb(child.pid));
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${command} ${args.slice(0, 4).join(' ')}… exited ${code}:\n${stderr.slice(-2000)}`);
  return { ms: performance.now() - start, cpuMs: childCpuMs(stderr), peakMb: peak / 1024 };
}

/** Sum of the proportional set size (kB) of a process and all its descendants, from /proc. */
function treeMemoryKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const [pid, { parent }] of processStats()) children.set(parent, [...(children.get(parent) ?? []), pid]);
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
