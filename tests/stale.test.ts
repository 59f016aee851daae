import { execFile } from 'node:child_process';
import { watch } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../scripts/cli.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { startCli } from './helpers/spawn.ts';

const run = promisify(execFile);
const pdfText = async (path: string) => (await run('pdftotext', [path, '-'])).stdout;

let project: TempProject;

beforeAll(async () => {
  project = await createProject({ 'source/small.md': brief('Small.\n', { title: 'Small' }) });
});
afterAll(() => project.remove());

/**
 * A build run in this process (as project.run does) whose output can be waited on while it runs,
 * as startCli's can: a second build beside a child process's, without the cost of another node.
 */
function startInProcess(argv: string[], cwd: string): { output(): string; waitFor(pattern: RegExp): Promise<void>; exited: Promise<{ code: number }> } {
  const out = new PassThrough();
  let output = '';
  const listeners = new Set<() => void>();
  out.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of [...listeners]) listener();
  });
  let done = false;
  const exited = main(argv, { stdout: out, stderr: out, cwd, env: process.env, signal: new AbortController().signal }).then((code) => {
    done = true;
    for (const listener of [...listeners]) listener();
    return { code };
  });
  return {
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            listeners.delete(check);
            resolve();
          } else if (done) {
            listeners.delete(check);
            reject(new Error(`Finished before ${pattern} appeared. Output:\n${output}`));
          }
        };
        listeners.add(check);
        check();
      }),
  };
}

describe('what the manifest records', () => {
  it('rebuilds next time a source that changed while its own build ran', async () => {
    const text = brief('## Background\n\nA brief whose source is edited while its PDF is printed.\n\n## Outlook\n\nMore to come.\n', { title: 'Long Brief' });
    await project.write('source/long.md', text);
    // The handout is written before the PDF is printed: the brief has been read by then. Edit it
    // at that moment, while its PDF is still being printed from what was read.
    const outDir = join(project.root, 'output');
    await project.write('output/.keep', '');
    let edited: Promise<void> | undefined;
    let editedBeforeTheBuildEnded: boolean | undefined;
    let building = true;
    const watcher = watch(outDir, (_event, name) => {
      if (name === 'long.html' && !edited) edited = writeFile(join(project.root, 'source', 'long.md'), `${text}\nEdited mid-build.\n`).then(() => void (editedBeforeTheBuildEnded = building));
    });
    const first = await project.run(['build', 'source/long.md']);
    building = false;
    watcher.close();
    await edited;
    expect(first.code, first.stderr).toBe(0);
    expect(edited, 'the source was edited during the build').toBeDefined();
    // The edit landed before the build recorded what it read: a build that hashed the source then, not as read, would miss it.
    expect(editedBeforeTheBuildEnded, 'the edit landed while the PDF was printed').toBe(true);
    // This build printed what it read, before the edit.
    expect(await pdfText(join(outDir, 'long.pdf'))).not.toContain('Edited mid-build.');

    const second = await project.run(['build', 'source/long.md']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Built 1 of 1 brief');
    expect(await project.read('output/long.html')).toContain('Edited mid-build.');
    expect(await pdfText(join(outDir, 'long.pdf'))).toContain('Edited mid-build.');
    expect((await project.run(['build', 'source/long.md'])).stdout).toMatch(/All 1 brief is up to date/);
    await rm(join(project.root, 'source', 'long.md'));
  });

  it.each([
    ['"inputs": null in an entry', { version: 3, run: 'x', briefs: { 'source/small.md': { inputs: null, outputs: {} } }, listings: {}, stats: {} }],
    ['"stats": "x"', { version: 3, run: 'x', briefs: {}, listings: {}, stats: 'x' }],
    ['an array', [1, 2, 3]],
  ])('treats a manifest of the wrong shape (%s) as missing: warns, rebuilds and exits, with --force too', async (_name, wrong) => {
    // The handout alone: the manifest is the same for both formats, and no Chrome is needed.
    for (const argv of [['build', 'source/small.md', '--format', 'html'], ['build', 'source/small.md', '--format', 'html', '--force']]) {
      await project.write('output/.brief-manifest.json', JSON.stringify(wrong));
      const result = await project.run(argv);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Built 1 of 1 brief');
      expect(result.stderr).toMatch(/^output\/\.brief-manifest\.json:1:1 warning This is not a manifest brief wrote: .* It is treated as missing, so every brief is built again, and it is replaced\. \(invalid-manifest\)$/m);
      expect(result.stderr).not.toContain('Internal error');
      // Replaced by a valid one: the next build has nothing to do and nothing to say.
      const again = await project.run(['build', 'source/small.md', '--format', 'html']);
      expect(again.stdout).toMatch(/All 1 brief is up to date/);
      expect(again.stderr).toBe('');
    }
  });
});

describe('two builds into one output folder', () => {
  it('waits for the build that holds the folder, then records both sets; index.html lists both', async () => {
    await project.write('source/set1/one.md', brief('One.\n', { title: 'First Set One' }));
    await project.write('source/set1/two.md', brief('Two.\n', { title: 'First Set Two' }));
    await project.write('source/set2/three.md', brief('Three.\n', { title: 'Second Set Three' }));
    await rm(join(project.root, 'shared'), { recursive: true, force: true });
    // Hold the folder as a running build would, so that both builds surely overlap with it.
    await project.write('shared/.brief-lock', JSON.stringify({ pid: process.pid, host: hostname() }));
    // Handouts only: what is at stake is the record, and Chrome would only slow the test down.
    // One in a process of its own, one in this one: two processes contending for one folder.
    const first = startCli(['build', 'source/set1', '--out', 'shared', '--format', 'html'], project.root);
    const second = startInProcess(['build', 'source/set2', '--out', 'shared', '--format', 'html'], project.root);
    for (const build of [first, second]) await build.waitFor(new RegExp(`Another build \\(pid ${process.pid}\\) is writing to shared/; waiting for it to finish…`));
    await rm(join(project.root, 'shared', '.brief-lock'));
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect(a.code, first.output()).toBe(0);
    expect(b.code, second.output()).toBe(0);

    const manifest = JSON.parse(await project.read('shared/.brief-manifest.json')) as { briefs: Record<string, unknown> };
    expect(Object.keys(manifest.briefs).sort()).toEqual(['source/set1/one.md', 'source/set1/two.md', 'source/set2/three.md']);
    const index = await project.read('shared/index.html');
    for (const title of ['First Set One', 'First Set Two', 'Second Set Three']) expect(index).toContain(title);
    expect(index).toContain('3 briefs');
    expect(index).toContain('href="set1/one.html"');
    expect(index).toContain('href="set2/three.html"');
    // The lock is gone with the builds.
    await expect(readFile(join(project.root, 'shared', '.brief-lock'))).rejects.toThrow();
  });

  it('takes over the lock of a build that was killed', async () => {
    // A pid that cannot be running: the lock was left by kill -9.
    await project.write('shared/.brief-lock', JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    const result = await project.run(['build', 'source/set2', '--out', 'shared', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('waiting');
  });

  it('lists in index.html every brief built into the folder, not only the last build’s', async () => {
    const result = await project.run(['build', 'source/small.md', '--out', 'shared', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    const index = await project.read('shared/index.html');
    for (const title of ['Small', 'First Set One', 'First Set Two', 'Second Set Three']) expect(index).toContain(title);
    expect(index).toContain('4 briefs');
  });
});
