import { watch as watchFolder } from 'node:fs';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { CHROME_ARGS } from '../pipeline/browser.ts';
import { resolveChrome } from '../setup/chrome.ts';
import { spawnChild } from './children.ts';
import { benchProject, type BenchRow } from './measure.ts';

/** The pause before each edit, and before each print of the paused floor. */
const PAUSE_MS = 300;

/**
 * Issue 4: how soon watch mode rewrites the seed brief's HTML and PDF after an edit (from the
 * moment the edited file is written to the moment each output is renamed into place), against
 * the floor: a warm Chrome printing the same HTML (page.pdf with outline and tags). The floor is
 * measured twice: prints back to back, and each after the same pause as the edits. On this
 * machine a process that has slept for a moment runs its next work several times slower (a warm
 * Markdown render: ~10 ms back to back, 50-70 ms after 300 ms asleep, ~100 ms after 1 s, the same
 * with V8's memory reducer and bytecode flushing off; a busy-wait instead of the sleep keeps it
 * fast), and every edit comes after such a pause: the paused floor is the like-for-like one.
 */
export async function watchEdit(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const project = await benchProject({ 'us-japan-relations.md': join(TOOL_ROOT, 'source', 'us-japan-relations.md') });
  const source = join(project.root, 'source', 'us-japan-relations.md');
  const out = join(project.root, 'output');
  const child = spawnChild(process.execPath, [join(TOOL_ROOT, 'scripts', 'bootstrap.mjs'), 'watch', '--port', '0'], { cwd: project.root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const rows: BenchRow[] = [
    { label: 'edit → HTML rewritten (watch)', runsMs: [] },
    { label: 'edit → PDF rewritten (watch)', runsMs: [] },
    { label: 'floor: warm page.pdf() of the same HTML', runsMs: [] },
    { label: `floor: the same, each print after a ${PAUSE_MS} ms pause`, runsMs: [] },
  ];
  try {
    await waitFor(() => /Built 1 of 1 brief/.test(output), 60_000, () => output);
    // Let the first build's stragglers (font cache, JIT) settle, then edit a few times unmeasured.
    for (let run = -2; run < runs; run++) {
      const before = { html: await mtime(join(out, 'us-japan-relations.html')), pdf: await mtime(join(out, 'us-japan-relations.pdf')) };
      const seen: Record<string, number> = {};
      const watcher = watchFolder(out, (_event, name) => {
        if (name === 'us-japan-relations.html' || name === 'us-japan-relations.pdf') seen[name] ??= performance.now();
      });
      const start = performance.now();
      await appendFile(source, `\nEdit number ${run + 3} of the benchmark.\n`);
      await waitFor(async () => (await mtime(join(out, 'us-japan-relations.pdf'))) !== before.pdf && (await mtime(join(out, 'us-japan-relations.html'))) !== before.html, 20_000, () => output);
      watcher.close();
      if (run >= 0) {
        log(`  watch: edit ${run + 1} of ${runs}`);
        rows[0]!.runsMs.push((seen['us-japan-relations.html'] ?? performance.now()) - start);
        rows[1]!.runsMs.push((seen['us-japan-relations.pdf'] ?? performance.now()) - start);
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    const html = await readFile(join(out, 'us-japan-relations.html'), 'utf8');
    const [backToBack, paused] = await warmPrintFloors(html, runs, [0, PAUSE_MS]);
    rows[2]!.runsMs = backToBack!;
    rows[3]!.runsMs = paused!;
    return { rows, against: rows[3]!.label };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    await project.remove();
  }
}

/** Median-ready timings of page.pdf() (outline, tags) on an already loaded page in a warm Chrome: one list for each pause, each print after that long idle. */
export async function warmPrintFloors(html: string, runs: number, pausesMs: number[]): Promise<number[][]> {
  const { default: puppeteer } = await import('puppeteer');
  const chrome = await resolveChrome({ env: process.env, install: false });
  const browser = await puppeteer.launch({ executablePath: chrome.executablePath, headless: true, args: CHROME_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const lists: number[][] = [];
    for (const pauseMs of pausesMs) {
      const times: number[] = [];
      for (let run = -2; run < runs; run++) {
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        const start = performance.now();
        await page.pdf({ preferCSSPageSize: true, printBackground: true, outline: true, tagged: true });
        if (run >= 0) times.push(performance.now() - start);
      }
      lists.push(times);
    }
    return lists;
  } finally {
    await browser.close();
  }
}

async function mtime(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
}

async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for watch mode. Its output:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
