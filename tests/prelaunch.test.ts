import { watch } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveChrome } from '../scripts/setup/chrome.ts';
import { brief, chromePerRun, createProject, type TempProject } from './helpers/project.ts';
import { gone } from './helpers/processes.ts';
import { startCli } from './helpers/spawn.ts';

// Chrome's own start and end are what this file proves: each run launches and closes its own.
chromePerRun();

let project: TempProject;
let chrome: string;

beforeAll(async () => {
  chrome = (await resolveChrome({ env: process.env, install: false })).executablePath;
  project = await createProject({ 'source/one.md': brief('One.\n', { title: 'One' }) });
});
afterAll(() => project.remove());

/** A Chrome that writes its process id to `<name>.launches` (one line a launch) and then is the real Chrome. */
async function countingChrome(name: string): Promise<{ path: string; launches: () => Promise<number[]> }> {
  const path = join(project.root, `${name}.sh`);
  const log = join(project.root, `${name}.launches`);
  await writeFile(log, '');
  await writeFile(path, `#!/bin/sh\necho $$ >> '${log}'\nexec '${chrome}' "$@"\n`);
  await chmod(path, 0o755);
  const launches = async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).map(Number);
  return { path, launches };
}

/** Resolves once `read` gives something, checked again at every change in the project folder. */
function whenSome<T>(read: () => Promise<T[]>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const watcher = watch(project.root);
    const check = () =>
      void read().then((value) => {
        if (value.length === 0) return;
        watcher.close();
        resolve(value);
      }, reject);
    watcher.on('change', check);
    check();
  });
}

const runFolders = async (cliPid: number | undefined) => (await readdir(tmpdir())).filter((name) => name.startsWith(`brief-chrome-${cliPid}-`));

describe('Chrome started first, by a build sure to print', () => {
  // The builds that end by themselves run in this process (project.run calls the CLI's main, where
  // the early launch is): no second Node to start and load brief into. Only the builds ended by a
  // real signal, below, need a process of their own.
  it('is the Chrome the build prints with: launched once, and not at all by the next build, which finds nothing to do', async () => {
    const counting = await countingChrome('once');
    const build = await project.run(['build', 'source/one.md', '--out', 'first'], { BRIEF_CHROME: counting.path });
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const launches = await counting.launches();
    expect(launches).toHaveLength(1);
    expect(build.stdout).toContain(`pid ${launches[0]})`);
    expect(await gone(launches[0]!)).toBe(true);
    const again = await project.run(['build', 'source/one.md', '--out', 'first'], { BRIEF_CHROME: counting.path });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('up to date');
    expect(await counting.launches()).toHaveLength(1);
  });

  it('is closed, and another started, when brief.config.yaml sets other limits', async () => {
    const counting = await countingChrome('limits');
    await project.write('brief.config.yaml', 'limits:\n  render_timeout_ms: 45000\n');
    try {
      const build = await project.run(['build', 'source/one.md', '--out', 'limits'], { BRIEF_CHROME: counting.path });
      expect(build.code, build.stdout + build.stderr).toBe(0);
      const launches = await counting.launches();
      expect(launches).toHaveLength(2);
      expect(build.stdout.match(/Chrome ready/g)).toHaveLength(1);
      expect(build.stdout).toContain(`pid ${launches[1]})`);
      for (const pid of launches) expect(await gone(pid)).toBe(true);
    } finally {
      await project.write('brief.config.yaml', '');
    }
  });

  it('is not started by a build of HTML only', async () => {
    const counting = await countingChrome('html');
    const html = await project.run(['build', 'source/one.md', '--out', 'html', '--format', 'html'], { BRIEF_CHROME: counting.path });
    expect(html.code, html.stdout + html.stderr).toBe(0);
    expect(await counting.launches()).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('leaves no Chrome behind when the build is ended by %s while Chrome starts', async (signal) => {
    const counting = await countingChrome(`killed-${signal}`);
    const build = startCli(['build', 'source/one.md', '--out', `killed-${signal}`], project.root, { BRIEF_CHROME: counting.path });
    const [pid] = await whenSome(counting.launches);
    build.child.kill(signal);
    const { code } = await build.exited;
    if (signal === 'SIGTERM') {
      expect(code, build.output()).toBe(130);
      expect(build.output()).not.toContain('Internal error');
      // Closed with its folder before the build exited.
      expect(await runFolders(build.child.pid)).toEqual([]);
    }
    // Killed outright, the build leaves Chrome its pipe's closing: Chrome exits on its own.
    expect(await gone(pid!)).toBe(true);
  });
});
