import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { resolveChrome } from '../scripts/setup/chrome.ts';
import { brief, chromePerRun, createProject, startInProcess, type TempProject } from './helpers/project.ts';
import { commandLine, descendantsOf, gone } from './helpers/processes.ts';
import { startCli } from './helpers/spawn.ts';

// Chrome's own start and end are what this file proves: each run launches and closes its own.
chromePerRun();

const run = promisify(execFile);

let project: TempProject;
let chrome: string;

beforeAll(async () => {
  chrome = (await resolveChrome({ env: process.env, install: false })).executablePath;
  project = await createProject();
  // Thirty small briefs, for the runs that end (a kill, an internal error, a full disk) long before
  // the last is built: a batch that cannot run out before the test has seen what it waits for.
  // Nothing is built of the briefs such a run never reaches, so their number costs nothing.
  for (let index = 1; index <= 30; index++) await project.write(`source/batch/b${String(index).padStart(2, '0')}.md`, brief(`Brief number ${index}.\n`, { title: `Batch ${index}` }));
  // Three, for the runs that print every brief: more briefs than --jobs 2 builds at once, so that
  // briefs wait for Chrome behind others, as in any batch.
  for (let index = 1; index <= 3; index++) await project.write(`source/few/f${index}.md`, brief(`Brief number ${index}.\n`, { title: `Few ${index}` }));
  await project.write('source/one.md', brief('One.\n', { title: 'One' }));
});
afterAll(() => project.remove());

/** A Chrome wrapper that fails its first `failures` launches (exit 1 at once), then runs the real Chrome. */
async function flakyChrome(name: string, failures: number): Promise<string> {
  const path = join(project.root, `${name}.sh`);
  const counter = join(project.root, `${name}.count`);
  await writeFile(counter, '');
  await writeFile(
    path,
    `#!/bin/sh\necho x >> '${counter}'\nif [ "$(wc -l < '${counter}')" -le ${failures} ]; then echo "simulated launch failure" >&2; exit 1; fi\nexec '${chrome}' "$@"\n`,
  );
  await chmod(path, 0o755);
  return path;
}

describe('Chrome failing to start', () => {
  it('builds a batch of more briefs than --jobs with exit 0 when Chrome fails its first launch', async () => {
    const wrapper = await flakyChrome('fails-once', 1);
    const result = await project.run(['build', 'source/few', '--format', 'pdf', '--out', 'flaky', '--jobs', '2'], { BRIEF_CHROME: wrapper });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Chrome did not start \(.*\); trying again \(attempt 2 of 3\)\./);
    expect(result.stdout).toContain('Built 3 of 3 briefs');
    expect(result.stderr).toBe('');
  });

  it('reports a Chrome that never starts once, as the machine’s problem, not as each brief’s', async () => {
    const wrapper = await flakyChrome('fails-always', 99);
    const result = await project.run(['build', 'source/few', '--format', 'pdf', '--out', 'never', '--force', '--jobs', '2'], { BRIEF_CHROME: wrapper });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^brief: Chrome \\(${wrapper.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) did not start, 3 times: .*Check that it runs .* or set BRIEF_CHROME to another Chrome\\.$`));
    expect(result.stderr).not.toMatch(/source\/few\/f\d+\.md/);
    expect(await readFile(join(project.root, 'fails-always.count'), 'utf8')).toBe('x\nx\nx\n');
  });

  it('in watch mode, says so once and tries Chrome again at the next build', async () => {
    const wrapper = await flakyChrome('fails-thrice', 3);
    // In this process: watch's own signal handling is specified in watch-faults.test.ts.
    const watcher = startInProcess(['watch', '--port', '0', 'source/one.md', '--out', 'watched'], project.root, { BRIEF_CHROME: wrapper });
    try {
      await watcher.waitFor(/brief: Chrome \(.*\) did not start, 3 times/);
      await watcher.waitFor(/Watching/);
      await writeFile(join(project.root, 'source', 'one.md'), brief('One, edited after Chrome failed.\n', { title: 'One' }));
      await watcher.waitFor(/✓ source\/one\.md → .*watched\/one\.pdf/);
      expect(watcher.output().match(/did not start, 3 times/g)).toHaveLength(1);
    } finally {
      expect(await watcher.stop()).toBe(0);
    }
  });
});

/** Mounts a tmpfs at `dir` (root only); false when this machine does not allow it. */
async function mountTmpfs(dir: string, options: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  return run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).then(
    () => true,
    () => false,
  );
}

describe('disks that refuse to be written', () => {
  const mounts: string[] = [];
  afterAll(async () => {
    for (const dir of mounts) await run('umount', [dir]).catch(() => undefined);
  });

  it('reports a read-only output folder (EROFS) as the environment’s problem, with the path and what to do', async () => {
    const dir = join(project.root, 'readonly');
    // The handout alone: the lock, the first thing written, fails before any brief is built, and a
    // PDF build would only start (and close) a Chrome first.
    if (await mountTmpfs(dir, 'ro,size=64k')) {
      mounts.push(dir);
      const result = await project.run(['build', 'source/one.md', '--out', 'readonly', '--format', 'html']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`brief: Cannot write ${dir}/.brief-lock: the file system is read-only (EROFS). Build into a writable folder with --out DIR (or mount this one read-write).\n`);
    } else {
      // No mount allowed here (not root, or a container without it): a folder without write
      // permission is the nearest, and takes the same path through brief.
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o555);
      const result = await project.run(['build', 'source/one.md', '--out', 'readonly', '--format', 'html']);
      await chmod(dir, 0o755);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^brief: Cannot write .*: permission denied \(EACCES\)\. Make the folder writable/);
    }
  });

  it('reports a full disk (ENOSPC) as the environment’s problem, once, with the path and what to do', async () => {
    const dir = join(project.root, 'full');
    if (await mountTmpfs(dir, 'size=200k')) {
      mounts.push(dir);
      // Each handout is about 100 KB: the third does not fit.
      const result = await project.run(['build', 'source/batch', '--format', 'html', '--out', 'full', '--jobs', '1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^brief: Cannot write ${dir}/[^ ]+: no space left on the disk \\(ENOSPC\\)\\. Free some space on that disk, or build into a folder on another disk with --out DIR\\.\\n$`));
      expect(result.stderr).not.toContain('Internal error');
    } else {
      // No mount allowed here: a file size limit (ulimit -f: 50 KB a file, below a handout) fails the writes the same way (EFBIG).
      const bootstrap = join(TOOL_ROOT, 'scripts', 'bootstrap.mjs');
      const limited = await run('sh', ['-c', `ulimit -f 100; exec "${process.execPath}" "${bootstrap}" build source/batch --format html --out full --jobs 1`], { cwd: project.root }).catch((error: { code: number; stderr: string }) => error);
      expect((limited as { code: number }).code).toBe(1);
      expect((limited as { stderr: string }).stderr).toMatch(/^brief: Cannot write .*: the file is larger than this disk or the process may write \(ulimit -f\) \(EFBIG\)\./);
    }
    // What was written before the disk filled up is whole.
    for (const name of (await readdir(join(dir, 'batch'))).filter((name) => name.endsWith('.html'))) {
      expect((await readFile(join(dir, 'batch', name), 'utf8')).endsWith('</html>\n')).toBe(true);
    }
  });
});

describe('Chrome’s folders', () => {
  it('runs Chrome without a GPU process, and keeps no profile folder of a run killed with kill -9 once the next run has started', async () => {
    // Built first, so that the run after the kill has nothing to do: even such a run sweeps.
    const before = await project.run(['build', 'source/one.md', '--out', 'killed', '--format', 'html']);
    expect(before.code, before.stderr).toBe(0);
    const build = startCli(['build', 'source/batch', '--format', 'pdf', '--out', 'killed', '--force'], project.root);
    await build.waitFor(/✓ source\/batch\/b01\.md/);
    const pid = build.child.pid!;
    // Off the GPU path entirely: no process of Chrome's is a GPU process that a loaded machine could kill.
    // A child may end between the listing and the read (Chrome's short-lived helpers): skip it.
    const types = descendantsOf(pid).flatMap((child) => {
      const line = commandLine(child);
      return line === undefined ? [] : [/--type=([\w-]+)/.exec(line)?.[1] ?? 'browser'];
    });
    expect(types).toContain('renderer');
    expect(types).not.toContain('gpu-process');
    const mine = async () => (await readdir(tmpdir())).filter((name) => name.startsWith(`brief-chrome-${pid}-`));
    const folders = await mine();
    expect(folders).toHaveLength(1);
    // The profile is inside it: nothing of puppeteer's own in the temporary folder.
    expect((await stat(join(tmpdir(), folders[0]!, 'profile'))).isDirectory()).toBe(true);
    const chromePid = Number(/Chrome ready in .*, pid (\d+)\)/.exec(build.output())?.[1]);
    build.child.kill('SIGKILL');
    await build.exited;
    expect(await mine()).toHaveLength(1);
    // Chrome sees its pipe close and exits (writing its profile as it goes): a run is dead once it is gone.
    expect(await gone(chromePid)).toBe(true);

    // Any next build sweeps them, even one with nothing to build (so no Chrome).
    const next = await project.run(['build', 'source/one.md', '--out', 'killed', '--format', 'html']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('up to date');
    expect(await mine()).toEqual([]);
  });
});

describe('ending a run', () => {
  // SIGINT and SIGTERM with briefs in flight (one hanging in Chrome): hostile.test.ts, "nothing lost,
  // no orphans", asserts the "interrupted" messages, one Chrome, exit 130 and no Chrome folder, in
  // the same run that proves the outputs whole and no process left behind.

  it('exits after an internal error while other briefs are in flight, with no Chrome started after', async () => {
    const build = startCli(['build', 'source/batch', '--format', 'pdf', '--out', 'internal', '--force', '--jobs', '3'], project.root, { BRIEF_FAULTS: 'record-fails:batch/b02' });
    const { code } = await build.exited;
    const output = build.output();
    expect(code, output).toBe(1);
    expect(output).toContain('brief: Internal error (a bug in brief, not in your brief; please report it):');
    expect(output).toContain('Injected fault: recording batch/b02 failed');
    expect(output.match(/Chrome ready/g)).toHaveLength(1);
    // Nothing new was started after the error: the three in flight, and at most a few more taken before b02 ended.
    expect((output.match(/✓ source\/batch\//g) ?? []).length).toBeLessThan(10);
  });
});
