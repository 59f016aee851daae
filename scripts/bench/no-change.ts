import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { runChild } from './children.ts';
import { benchProject, measureCommand, record, timeCommand, type BenchRow } from './measure.ts';

/**
 * A no-change `npm run build` of the seed brief and `npm run build -- --help`, wall time with
 * npm's own start included, against `npm run` of a script that does nothing (npm's floor on this
 * machine). Fails if that build started Chrome.
 */
export async function noChange(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const project = await benchProject({ 'us-japan-relations.md': join(TOOL_ROOT, 'source', 'us-japan-relations.md') });
  try {
    await timeCommand('npm', ['run', 'build'], { cwd: project.root });
    const { stdout } = await runChild('npm', ['run', 'build'], { cwd: project.root });
    if (stdout.includes('Chrome ready') || !stdout.includes('up to date')) throw new Error(`A no-change build did work:\n${stdout}`);
    const rows: BenchRow[] = [
      { label: 'npm run build, nothing changed', runsMs: [] },
      { label: 'npm run build -- --help', runsMs: [] },
      { label: 'npm run of an empty script', runsMs: [] },
    ];
    for (let index = 0; index < runs; index++) {
      log(`  no-change build: run ${index + 1} of ${runs}`);
      record(rows[0]!, await measureCommand('npm', ['run', 'build'], { cwd: project.root }));
      record(rows[1]!, await measureCommand('npm', ['run', 'build', '--', '--help'], { cwd: project.root }));
      record(rows[2]!, await measureCommand('npm', ['run', 'noop'], { cwd: project.root }));
    }
    return { rows, against: 'npm run of an empty script' };
  } finally {
    await project.remove();
  }
}
