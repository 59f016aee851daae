import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { resolveChrome } from '../setup/chrome.ts';
import { benchProject, measureCommand, record, timeCommand, type BenchRow } from './measure.ts';

/**
 * Wall and CPU time of a cold `npm run build` of the seed brief (a fresh process, no Chrome
 * running, output/ deleted; HTML and PDF), against md-to-pdf on the same Markdown (PDF only) and
 * a bare Chromium launch-and-print of the same HTML (the floor), run in turn (A B C A B C…) so
 * that the machine's mood weighs on all three alike.
 */
export async function coldBuild(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const seed = join(TOOL_ROOT, 'source', 'us-japan-relations.md');
  const project = await benchProject({ 'us-japan-relations.md': seed });
  const chrome = (await resolveChrome({ env: process.env, install: false })).executablePath;
  try {
    // Warm the disk caches (fonts, tsx, the OS page cache) once, as on any machine after its first build.
    await timeCommand('npm', ['run', 'build'], { cwd: project.root });
    const rows: BenchRow[] = [
      { label: 'npm run build (seed, cold)', runsMs: [] },
      { label: 'bare Chromium launch + print', runsMs: [] },
      { label: 'md-to-pdf (same Markdown)', runsMs: [] },
    ];
    const html = join(project.root, 'output', 'us-japan-relations.html');
    for (let run = 0; run < runs; run++) {
      log(`  cold build: run ${run + 1} of ${runs}`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      record(rows[0]!, await measureCommand('npm', ['run', 'build'], { cwd: project.root }));
      record(rows[1]!, await measureCommand(process.execPath, [join(TOOL_ROOT, 'scripts', 'bench', 'bare-print.mjs'), chrome, html, join(project.root, 'bare.pdf')], { cwd: project.root }));
      record(
        rows[2]!,
        await measureCommand(join(TOOL_ROOT, 'node_modules', '.bin', 'md-to-pdf'), ['--launch-options', JSON.stringify({ executablePath: chrome, args: ['--no-sandbox', '--disable-gpu'] }), join(project.root, 'source', 'us-japan-relations.md')], {
          cwd: project.root,
        }),
      );
    }
    return { rows, against: 'md-to-pdf (same Markdown)' };
  } finally {
    await project.remove();
  }
}
