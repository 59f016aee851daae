import { createHash } from 'node:crypto';
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../scripts/cli.ts';
import { brief, chromePerRun, createProject, type TempProject } from './helpers/project.ts';
import { connectEvents } from './helpers/sse.ts';

// Chrome's own start and end are what this file proves: each run launches and closes its own.
chromePerRun();

let project: TempProject;
let stop: AbortController;
let watching: Promise<number>;
let output = '';
let url: string;
let events: Awaited<ReturnType<typeof connectEvents>>;

const hash = async (name: string) => createHash('sha256').update(await readFile(join(project.root, 'output', name))).digest('hex');
const mtime = async (name: string) => (await stat(join(project.root, 'output', name))).mtimeMs;
/** Resolves when the preview reports a build of brief `id` (ok or failed). */
const built = (id: string, status?: string) =>
  events.next((event) => {
    if (event.event !== 'brief') return false;
    const state = JSON.parse(event.data) as { id: string; status: string };
    return state.id === id && state.status !== 'up-to-date' && (!status || state.status === status);
  });

beforeAll(async () => {
  project = await createProject({ 'source/a.md': brief('Alpha.\n', { title: 'Alpha' }), 'source/b.md': brief('Beta.\n', { title: 'Beta' }) });
  stop = new AbortController();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  // The first build's summary line, as an event on the output (no polling).
  const firstBuild = new Promise<void>((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Built 2 of 2 briefs/.test(output)) resolve();
    };
    stdout.on('data', collect);
    stderr.on('data', collect);
  });
  watching = main(['watch', '--port', '0'], { stdout, stderr, cwd: project.root, env: process.env, signal: stop.signal });
  await firstBuild;
  url = /preview at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]!;
  events = await connectEvents(`${url}events`);
});

afterAll(async () => {
  if (process.env.DEBUG_WATCH) console.log(output);
  events?.close();
  stop.abort();
  await watching;
  await project.remove();
});

describe('watch mode', () => {
  it('builds once, then serves a preview on 127.0.0.1 only', async () => {
    expect(output).toMatch(/Watching source, templates, brief\.config\.yaml — preview at http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)/);
    const index = await (await fetch(url)).text();
    expect(index).toContain('<a href="/preview/a">Alpha</a>');
    expect(index).toContain('<a href="/preview/b">Beta</a>');
    const preview = await (await fetch(`${url}preview/a`)).text();
    expect(preview).toContain("new EventSource('/events')");
    const pdf = await fetch(`${url}output/a.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await fetch(`${url}output/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}output/../source/a.md`)).status).toBe(404);
  });

  it('rebuilds only the brief whose source changed, and tells the preview to reload', async () => {
    const before = { a: await mtime('a.pdf'), b: await mtime('b.pdf') };
    const event = built('a', 'built');
    await project.write('source/a.md', brief('Alpha, edited once.\n', { title: 'Alpha' }));
    const state = JSON.parse((await event).data) as { version: number; html: string; pdf: string };
    expect(state).toMatchObject({ html: 'a.html', pdf: 'a.pdf' });
    expect(await mtime('a.pdf')).toBeGreaterThan(before.a);
    expect(await mtime('b.pdf')).toBe(before.b);
    expect(await project.read('output/a.html')).toContain('Alpha, edited once.');
  });

  it('rebuilds every brief of a template when a template file changes', async () => {
    const both = Promise.all([built('a', 'built'), built('b', 'built')]);
    const css = await project.read('templates/policy-brief/style.css');
    await project.write('templates/policy-brief/style.css', `${css}\n.article p { letter-spacing: 0.001em; }\n`);
    await both;
    // The new CSS is in the handouts: the template was read again, not taken from a cache.
    expect(await project.read('output/a.html')).toContain('letter-spacing: 0.001em');
    expect(await project.read('output/b.html')).toContain('letter-spacing: 0.001em');
  });

  it('reports a broken edit with file, line and column, and keeps the last good PDF', async () => {
    const good = await hash('a.pdf');
    const failed = built('a', 'failed');
    await project.write('source/a.md', '---\ntitle: Alpha\ndate: someday\n---\n\nAlpha.\n');
    const state = JSON.parse((await failed).data) as { messages: string[]; pdf: string };
    expect(state.messages).toEqual(['source/a.md:3:7 error Front-matter field "date" is "someday"; expected a date as YYYY-MM-DD or YYYY-MM, such as 2009-09-30. (front-matter-field)']);
    expect(state.pdf).toBe('a.pdf');
    expect(output).toContain('source/a.md:3:7 error Front-matter field "date" is "someday"');
    expect(await hash('a.pdf')).toBe(good);
    // And it keeps watching: the fix builds.
    const fixed = built('a', 'built');
    await project.write('source/a.md', brief('Alpha, fixed.\n', { title: 'Alpha' }));
    await fixed;
    expect(await project.read('output/a.html')).toContain('Alpha, fixed.');
  });

  it('builds once for an editor that saves in several steps', async () => {
    const count = () => events.events.filter((event) => event.event === 'brief' && (JSON.parse(event.data) as { id: string; status: string }).id === 'b').length;
    const before = count();
    const done = built('b', 'built');
    const path = 'source/b.md';
    await project.write(path, '');
    await project.write(path, '---\ntitle: Beta\n');
    await project.write(path, brief('Beta, saved in three steps.\n', { title: 'Beta' }));
    await done;
    // No sleep: a sentinel edit to another brief, queued after any change the three saves could
    // still cause. Watch builds in order, so once the sentinel is built, a second build of b would
    // have happened already.
    const sentinel = built('a', 'built');
    await project.write('source/a.md', brief('Alpha, the sentinel edit.\n', { title: 'Alpha' }));
    await sentinel;
    expect(count() - before).toBe(1);
    expect(await project.read('output/b.html')).toContain('Beta, saved in three steps.');
  });

  it('does nothing for a late file event about bytes it already built, and finds a file saved again unchanged up to date', async () => {
    const count = () => events.events.filter((event) => event.event === 'brief' && (JSON.parse(event.data) as { id: string; status: string }).id === 'b').length;
    const path = join(project.root, 'source', 'b.md');
    const text = await readFile(path, 'utf8');
    const before = count();
    const mark = output.length;
    // A late event: the same bytes, last written before the build that read them (an older mtime).
    await utimes(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const sentinel = built('a', 'built');
    await project.write('source/a.md', brief('Alpha, after the late event.\n', { title: 'Alpha' }));
    await sentinel;
    expect(count() - before).toBe(0);
    // Not even looked at: no "Changed: source/b.md" line, alone or with the sentinel's.
    expect(output.slice(mark)).toContain('Changed: source/a.md');
    expect(output.slice(mark)).not.toContain('source/b.md');
    // Saved again unchanged (a newer mtime): looked at again, and found up to date.
    const again = events.next((event) => event.event === 'brief' && (JSON.parse(event.data) as { id: string; status: string }).id === 'b');
    await project.write('source/b.md', text);
    expect(JSON.parse((await again).data)).toMatchObject({ id: 'b', status: 'up-to-date' });
    expect(count() - before).toBe(1);
  });

  it('stops on its signal (Ctrl-C) with exit 0, Chrome and the server closed', async () => {
    const pid = Number(/Chrome ready in .*, pid (\d+)\)/.exec(output)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).not.toThrow();
    stop.abort();
    expect(await watching).toBe(0);
    expect(output).toContain('Stopped watching; Chrome closed.');
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('watch mode with a broken brief.config.yaml', () => {
  it('reports the config error at its line and column, as npm run build does, and builds nothing', async () => {
    const broken = await createProject({ 'source/a.md': brief('Alpha.\n'), 'brief.config.yaml': 'limits:\n  max_image_bytes: lots\n' });
    const abort = new AbortController();
    const stream = new PassThrough();
    let text = '';
    const reported = new Promise<void>((resolve) =>
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('brief.config.yaml:2:')) resolve();
      }),
    );
    const running = main(['watch', '--port', '0'], { stdout: stream, stderr: stream, cwd: broken.root, env: process.env, signal: abort.signal });
    try {
      await Promise.race([reported, running.then(() => undefined)]);
      expect(text).toMatch(/^brief\.config\.yaml:2:20 error .*max_image_bytes.* \(config-field\)$/m);
      expect(text).not.toMatch(/Cannot read properties|Internal error/);
      const build = await broken.run(['build']);
      expect(build.stderr).toContain(/^brief\.config\.yaml:2:20 error .*$/m.exec(text)![0]);
    } finally {
      abort.abort();
      await running;
      await broken.remove();
    }
  });
});
