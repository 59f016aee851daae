import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { startCli, type CliProcess } from './helpers/spawn.ts';
import { connectEvents } from './helpers/sse.ts';

const run = promisify(execFile);

let project: TempProject;
let watcher: CliProcess;
let url: string;
let events: Awaited<ReturnType<typeof connectEvents>>;

beforeAll(async () => {
  project = await createProject({
    'source/a.md': brief('Alpha.\n', { title: 'Alpha' }),
    'source/old/inside.md': brief('Inside.\n', { title: 'Inside' }),
  });
  // A folder that links to its own parent, and a file that links to itself.
  await symlink('.', join(project.root, 'source', 'loop'));
  await symlink('self.md', join(project.root, 'source', 'self.md'));
  watcher = startCli(['watch', '--port', '0'], project.root);
  url = (await watcher.waitFor(/preview at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  await watcher.waitFor(/Built 2 of 3 briefs/);
  events = await connectEvents(`${url}events`);
});

afterAll(async () => {
  events?.close();
  if (watcher.child.exitCode === null) watcher.child.kill('SIGKILL');
  await project.remove();
});

/** Resolves once a build of brief `id` leaves outputs that pass `done`. */
async function builtUntil(id: string, done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`Brief ${id} never reached the expected state. Output:\n${watcher.output()}`);
    await events
      .next((event) => event.event === 'brief' && (JSON.parse(event.data) as { id: string }).id === id, Math.max(1, deadline - Date.now()))
      .catch(() => undefined);
  }
}

describe('watch mode under real use', () => {
  it('reports symbolic link loops at their path, and keeps watching the rest', async () => {
    expect(watcher.output()).toMatch(/^source\/loop:1:1 error Symbolic link loop \(source\/loop -> \.\): not watched, not built\./m);
    expect(watcher.output()).toMatch(/^source\/self\.md:1:1 error Symbolic link loop \(source\/self\.md -> self\.md\)/m);
    await writeFile(join(project.root, 'source', 'a.md'), brief('Alpha, edited beside the loops.\n', { title: 'Alpha' }));
    await builtUntil('a', async () => (await project.read('output/a.html')).includes('Alpha, edited beside the loops.'));
  });

  it('answers 400 to a malformed percent-encoding, and goes on serving', async () => {
    expect((await fetch(`${url}output/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${url}preview/%`)).status).toBe(400);
    expect((await fetch(`${url}output/a.html`)).status).toBe(200);
  });

  it('ends on the last of 200 saves made faster than it builds, in the HTML and in the PDF', async () => {
    // One save after another, as fast as the disk takes them: builds start while the saves go on
    // (here about 3) and read a version that is not the last, or an empty file caught between
    // truncation and write; the last build must be of the last save. Saves paced 10 ms apart made
    // the same race about 18 times, each build a PDF printed.
    const path = join(project.root, 'source', 'a.md');
    for (let save = 1; save <= 200; save++) await writeFile(path, brief(`Alpha, save number ${save} of 200.\n`, { title: 'Alpha' }));
    const pdfText = async () => (await run('pdftotext', [join(project.root, 'output', 'a.pdf'), '-'])).stdout;
    await builtUntil('a', async () => (await project.read('output/a.html')).includes('save number 200 of 200') && (await pdfText()).includes('save number 200 of 200'));
    // And the record agrees: a build now finds it up to date, built from that last save (in this
    // process: the record is the same file, and no second Node has to start for it).
    const check = await project.run(['build', 'source/a.md']);
    expect(check.code).toBe(0);
    expect(check.stdout + check.stderr).toMatch(/All 1 brief is up to date/);
  });

  it('removes the outputs of a renamed folder’s briefs, and their preview entries', async () => {
    expect(existsSync(join(project.root, 'output', 'old', 'inside.html'))).toBe(true);
    const removed = events.next((event) => event.event === 'removed' && event.data === '{"id":"old/inside"}');
    // The preview's own word that the brief is built: its list is updated by then (the PDF on disk comes a moment before).
    const built = events.next((event) => event.event === 'brief' && (JSON.parse(event.data) as { id: string; status: string }).id === 'new/inside' && (JSON.parse(event.data) as { status: string }).status === 'built');
    await rename(join(project.root, 'source', 'old'), join(project.root, 'source', 'new'));
    await removed;
    await built;
    expect(existsSync(join(project.root, 'output', 'new', 'inside.pdf'))).toBe(true);
    expect(existsSync(join(project.root, 'output', 'old'))).toBe(false);
    const index = await (await fetch(url)).text();
    expect(index).toContain('/preview/new/inside');
    expect(index).not.toContain('/preview/old/inside');
    expect(await project.read('output/index.html')).not.toContain('old/inside');
  });

  it('stops on SIGINT with exit 0', async () => {
    watcher.child.kill('SIGINT');
    const { code } = await watcher.exited;
    expect(code).toBe(0);
    expect(watcher.output()).toContain('Stopped watching; Chrome closed.');
  });
});
