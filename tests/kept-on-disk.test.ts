import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { KeptOnDisk } from '../scripts/pipeline/kept-on-disk.ts';
import { Manifest } from '../scripts/pipeline/manifest.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { startCli } from './helpers/spawn.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brief-kept-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('work kept on disk between runs (kept-on-disk.ts)', () => {
  it('gives back what was written for any text key, and nothing for a key never written', () => {
    const kept = new KeptOnDisk(join(dir, 'any'), { suffix: '.json', limit: 8 });
    const key = `a key\0with a NUL, ${'long '.repeat(1000)}and 日本語`;
    expect(kept.read(key)).toBeUndefined();
    kept.write(key, '{"ok":true}');
    expect(kept.read(key)?.toString('utf8')).toBe('{"ok":true}');
    expect(kept.read(`${key} `)).toBeUndefined();
    expect(kept.path(key)).toMatch(/\/any\/[0-9a-f]{32}\.json$/);
  });

  it('keeps at most its limit, the last written among them, and removes what a killed run was writing', async () => {
    const folder = join(dir, 'bounded');
    const kept = new KeptOnDisk(folder, { suffix: '.woff', limit: 5 });
    kept.write('first', 'x');
    // A write a run killed mid-way left, twenty minutes ago; one another run is writing now; another cache's file.
    const stale = join(folder, 'f00d.woff.4242.0123456789ab.tmp');
    const current = join(folder, 'beef.woff.4243.ba9876543210.tmp');
    const other = join(folder, 'cafe.cmap.json');
    for (const path of [stale, current, other]) await writeFile(path, 'part');
    await utimes(stale, new Date(Date.now() - 20 * 60_000), new Date(Date.now() - 20 * 60_000));
    for (let index = 1; index <= 9; index++) {
      kept.write(`entry ${index}`, `bytes ${index}`);
      // Distinct times, as writes minutes apart would have.
      await utimes(kept.path(`entry ${index}`), new Date(Date.now() + index * 1000), new Date(Date.now() + index * 1000));
    }
    const names = await readdir(folder);
    expect(names.filter((name) => name.endsWith('.woff'))).toHaveLength(5);
    for (let index = 5; index <= 9; index++) expect(kept.read(`entry ${index}`)?.toString()).toBe(`bytes ${index}`);
    expect(kept.read('first')).toBeUndefined();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(current)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it('forgets a tenth of its limit at a time, so that a full cache does not read the time of every entry at every write', async () => {
    const kept = new KeptOnDisk(join(dir, 'tenth'), { suffix: '.bin', limit: 20 });
    const counts: number[] = [];
    for (let index = 1; index <= 25; index++) {
      kept.write(`entry ${index}`, `bytes ${index}`);
      counts.push((await readdir(join(dir, 'tenth'))).length);
    }
    // The 21st write finds the cache full (20 entries) and forgets down to 18 with its own; the next two fill it again.
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 18, 19, 20, 18, 19]);
    expect(kept.read('entry 25')?.toString()).toBe('bytes 25');
  });

  it('lists its folder at its first write and when its own count reaches the limit, not at every write', async () => {
    const folder = join(dir, 'counted');
    const kept = new KeptOnDisk(folder, { suffix: '.bin', limit: 20 });
    kept.write('first', 'bytes');
    // Another process fills the folder past the limit meanwhile.
    for (let index = 0; index < 30; index++) await writeFile(join(folder, `other-${index}.bin`), 'theirs');
    const counts: number[] = [];
    for (let index = 1; index <= 20; index++) {
      kept.write(`entry ${index}`, `bytes ${index}`);
      counts.push((await readdir(folder)).length);
    }
    // Its own count (1, then one a write) reaches 20 at its 19th write after the first: only then
    // does it list the folder, find 49 entries and forget down to 18; then it counts on from there.
    expect(counts).toEqual([32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 18, 19]);
    expect(kept.read('entry 20')?.toString()).toBe('bytes 20');
  });

  it('forgets the entries used longest ago: one read since it was written stays', async () => {
    const folder = join(dir, 'used');
    const kept = new KeptOnDisk(folder, { suffix: '.bin', limit: 20 });
    for (let index = 1; index <= 20; index++) {
      kept.write(`entry ${index}`, `bytes ${index}`);
      // Entries written in the same millisecond would tie: one a few milliseconds apart.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(kept.read('entry 1')?.toString()).toBe('bytes 1');
    // The 21st write forgets the three used longest ago: entries 2, 3 and 4, not the first, just read.
    kept.write('entry 21', 'bytes 21');
    expect(['entry 1', 'entry 2', 'entry 3', 'entry 4', 'entry 5'].map((key) => kept.read(key)?.toString())).toEqual(['bytes 1', undefined, undefined, undefined, 'bytes 5']);
  });

  it('never fails the build that uses it: a folder that cannot be made keeps nothing, and says nothing', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const kept = new KeptOnDisk(join(file, 'cache'), { suffix: '.js', limit: 4 });
    expect(() => kept.write('key', 'value')).not.toThrow();
    expect(kept.read('key')).toBeUndefined();
  });
});

describe('a template stylesheet, read once per version of brief (font-usage.ts, kept on disk)', () => {
  let project: TempProject;
  // A selector no other test writes: it finds this test's entries among the others' in the cache.
  const probe = `probe-${process.pid}-${Date.now()}`;
  beforeAll(async () => {
    project = await createProject({ 'source/one.md': brief('Text.\n', { title: 'One', template: 'probed' }) });
    const stock = await project.read('templates/policy-brief/style.css');
    await cp(join(project.root, 'templates', 'policy-brief'), join(project.root, 'templates', 'probed'), { recursive: true });
    await project.write('templates/probed/style.css', `${stock}\n.${probe} p:nth-child(1 of p) { font-family: monospace; }\n`);
  });
  afterAll(() => project.remove());

  const build = async () => {
    const cli = startCli(['build', '--force', '--format', 'html'], project.root);
    const { code } = await cli.exited;
    expect(code, cli.output()).toBe(0);
    return { output: cli.output(), html: await project.read('output/one.html') };
  };
  const keptEntries = async () => {
    const folder = join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'css');
    const found: string[] = [];
    // Other test files' builds write (and may remove) entries of their own meanwhile: a file gone between the listing and the read is not this test's.
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.json')) continue;
      if ((await readFile(join(folder, name), 'utf8').catch(() => '')).includes(probe)) found.push(join(folder, name));
    }
    return found;
  };

  it('gives the same warning and the same handout read from the disk as read from the CSS, and reads a damaged entry again', async () => {
    const first = await build();
    expect(first.output).toContain(`Selector ".${probe} p:nth-child(1 of p)" sets a font, but`);
    // The warnings of style.css as written, and the font rules of the template's CSS as embedded.
    const entries = await keptEntries();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const second = await build();
    expect(second.output).toContain(`Selector ".${probe} p:nth-child(1 of p)" sets a font, but`);
    expect(second.html).toBe(first.html);
    for (const entry of entries) await writeFile(entry, '{ damaged');
    const third = await build();
    expect(third.output).toContain(`Selector ".${probe} p:nth-child(1 of p)" sets a font, but`);
    expect(third.html).toBe(first.html);
    for (const entry of entries) expect(() => JSON.parse(readFileSync(entry, 'utf8'))).not.toThrow();
  });
});

describe("a large input's hash, kept for every project (manifest.ts)", () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const anHourAgo = new Date(Date.now() - 3_600_000);

  it("is read once per version of the file: a project's first build takes it from the cache, and any change of the file reads it again", async () => {
    const font = join(dir, 'large-font.ttf');
    const bytes = Buffer.alloc(300 * 1024, 7);
    await writeFile(font, bytes);
    await utimes(font, anHourAgo, anHourAgo);
    const first = await Manifest.load(join(dir, 'project-a', 'output'), join(dir, 'project-a'), 'run');
    expect(await first.hash(font)).toBe(sha256(bytes));
    // Another project's first build (an empty manifest) trusts the kept hash: shown here by a kept
    // entry replaced with another hash, which a read of the file would not give.
    const entries = (await readdir(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'hashes'))).map((name) => join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'hashes', name));
    const entry = entries.find((path) => readFileSync(path, 'utf8') === sha256(bytes));
    expect(entry).toBeDefined();
    await writeFile(entry!, 'f'.repeat(64));
    expect(await (await Manifest.load(join(dir, 'project-b', 'output'), join(dir, 'project-b'), 'run')).hash(font)).toBe('f'.repeat(64));
    // The same size and mtime, new bytes: the ctime moved, so the file is read again.
    const changed = Buffer.alloc(300 * 1024, 8);
    await writeFile(font, changed);
    await utimes(font, anHourAgo, anHourAgo);
    expect(await (await Manifest.load(join(dir, 'project-c', 'output'), join(dir, 'project-c'), 'run')).hash(font)).toBe(sha256(changed));
    // Made unreadable (chmod moves ctime too): reported as such, never a kept hash. Root reads any file, so only where the tests do not run as root.
    if (process.getuid?.() !== 0) {
      await chmod(font, 0);
      await utimes(font, anHourAgo, anHourAgo);
      expect(await (await Manifest.load(join(dir, 'project-d', 'output'), join(dir, 'project-d'), 'run')).hash(font)).toBe('unreadable');
    }
  });
});
