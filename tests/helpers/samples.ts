/**
 * The shared built fixture: the sample briefs (source/) and the showcase (tests/fixtures/showcase),
 * built ONCE per test run by tests/global-setup.ts, the way the README says (`npm run build`),
 * then checked (`npm run -s check -- --strict --format json --output …`) as one would in CI.
 *
 * Global setup starts that build and does not wait for it: test files that do not read the
 * fixture run meanwhile (on two cores, the build alone leaves most of one idle for ~10 s). A file
 * that reads it waits for it, at import or in the test that needs it:
 *
 *   import { inject } from 'vitest';
 *   import { samples } from './helpers/samples.ts';
 *   const built = await samples(inject('samples'));
 *   built.output('us-japan-relations.pdf')   // an absolute path to a built output
 *   built.build.stdout                       // what `npm run build` printed (code, stdout, stderr)
 *   built.check                              // the JSON report of `npm run check -- --strict`
 *
 * (tests/helpers/sequencer.ts runs the files that wait at import after the first third of the
 * run, so that the two workers do not start by waiting.) The folder is shared by every test file
 * and read-only for them: write your own files in a folder of your own (createProject() in
 * project.ts). It is removed when the run ends.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TOOL_ROOT } from '../../scripts/paths.ts';

const run = promisify(execFile);

/** The briefs the shared fixture builds, by output name: the policy-brief layout (the seed and the showcase) and the in-focus layout (the seed again), both editions. */
export const SAMPLE_BRIEFS = ['us-japan-relations', 'us-japan-relations.ja', 'showcase', 'report', 'report.ja', 'in-focus', 'in-focus.ja'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the shared built fixture (see tests/helpers/samples.ts). */
    samples: string;
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The JSON report of `npm run check` (the fields the tests read). */
export interface CheckReport {
  ok: boolean;
  summary: { briefs: number; errors: number; warnings: number };
  briefs: { source: string; messages: { rule: string; message: string }[] }[];
}

export interface Samples {
  root: string;
  output(name: string): string;
  build: CommandResult;
  check: CommandResult & { report: CheckReport };
}

/** The file the fixture's build writes last, when it has finished (or RESULTS_FAILED if it could not run). */
const RESULTS = 'results.json';
const RESULTS_FAILED = 'results-failed.txt';

/** The shared fixture, from the folder global setup provided, once its build has finished. */
export async function samples(root: string): Promise<Samples> {
  const results = JSON.parse(await finished(root)) as { build: CommandResult; check: CommandResult };
  return {
    root,
    output: (name) => join(root, 'output', name),
    build: results.build,
    check: { ...results.check, report: JSON.parse(await readFile(join(root, 'check.json'), 'utf8')) as CheckReport },
  };
}

/** The fixture's results, waiting for its build (global setup's hook timeout bounds it too). */
async function finished(root: string): Promise<string> {
  for (const deadline = Date.now() + 120_000; ; ) {
    const results = await readFile(join(root, RESULTS), 'utf8').catch(() => undefined);
    if (results !== undefined) return results;
    const failure = await readFile(join(root, RESULTS_FAILED), 'utf8').catch(() => undefined);
    if (failure !== undefined) throw new Error(`The shared fixture could not be built: ${failure}`);
    if (Date.now() > deadline) throw new Error(`The shared fixture in ${root} was not built within 120 s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts building and checking the shared fixture in a new folder under tests/.tmp: returns the
 * folder at once, and `done`, settled when its results are written (results.json, renamed into
 * place whole, or results-failed.txt).
 */
export async function startSamples(): Promise<{ root: string; done: Promise<void> }> {
  const base = join(TOOL_ROOT, 'tests', '.tmp');
  await mkdir(base, { recursive: true });
  const root = await mkdtemp(join(base, 'samples-'));
  const done = buildSamples(root).then(
    async (results) => {
      await writeFile(join(root, `${RESULTS}.partial`), JSON.stringify(results));
      await rename(join(root, `${RESULTS}.partial`), join(root, RESULTS));
    },
    (error: unknown) => writeFile(join(root, RESULTS_FAILED), error instanceof Error ? (error.stack ?? error.message) : String(error)),
  );
  return { root, done };
}

/** Builds and checks the shared fixture in `root`. */
async function buildSamples(root: string): Promise<{ build: CommandResult; check: CommandResult }> {
  // A copy of the repository, as a clone is: npm run build must not reinstall (times kept).
  for (const entry of ['package.json', 'package-lock.json', 'scripts', 'templates', 'source']) {
    await cp(join(TOOL_ROOT, entry), join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  await symlink(join(TOOL_ROOT, 'node_modules'), join(root, 'node_modules'));
  for (const name of ['showcase.md', 'map.png']) await cp(join(TOOL_ROOT, 'tests', 'fixtures', 'showcase', name), join(root, 'source', name));
  // Issue 11's brief: charts from data, a table with its source, citations, cross-references.
  const report = join(TOOL_ROOT, 'tests', 'fixtures', 'report');
  for (const name of await readdir(report)) await cp(join(report, name), join(root, 'source', name), { recursive: true });
  // The seed in the second layout: the same text, with `template: in-focus`, the layout's own series and a number.
  for (const [from, to] of [['us-japan-relations.md', 'in-focus.md'], ['us-japan-relations.ja.md', 'in-focus.ja.md']] as const) {
    const text = await readFile(join(TOOL_ROOT, 'source', from), 'utf8');
    await writeFile(join(root, 'source', to), text.replace(/^---\n/, '---\ntemplate: in-focus\nnumber: IF10199\n').replace(/^series: .*\n/m, '').replace('href: us-japan-relations.ja.md', 'href: in-focus.ja.md').replace('href: us-japan-relations.md', 'href: in-focus.md'));
  }
  const command = async (args: string[]): Promise<CommandResult> => {
    try {
      const { stdout, stderr } = await run('npm', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  const build = await command(['run', 'build']);
  const check = await command(['run', '-s', 'check', '--', 'source/us-japan-relations.md', 'source/us-japan-relations.ja.md', '--strict', '--format', 'json', '--output', 'check.json']);
  return { build, check };
}

