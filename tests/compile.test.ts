import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';

/**
 * scripts/compile.mjs, in a copy of the repository with a compile cache of its own (its
 * node_modules links to the real packages, its .cache is a copy): compiling there never replaces
 * the compiled CLI the other tests run.
 */
describe('the compiled CLI', () => {
  let root: string;
  let compile: () => Promise<string>;
  const cli = () => join(root, 'node_modules', '.cache', 'brief', 'cli');
  const compiledAt = async () => (await stat(join(cli(), 'cli.mjs'))).mtimeMs;
  const stampOf = () => readFile(join(cli(), 'stamp'), 'utf8');

  beforeAll(async () => {
    const base = join(TOOL_ROOT, 'tests', '.tmp');
    await mkdir(base, { recursive: true });
    root = await mkdtemp(join(base, 'compile-'));
    await cp(join(TOOL_ROOT, 'scripts'), join(root, 'scripts'), { recursive: true, preserveTimestamps: true });
    await mkdir(join(root, 'node_modules', '.cache', 'brief'), { recursive: true });
    for (const name of await readdir(join(TOOL_ROOT, 'node_modules'))) {
      if (name !== '.cache') await symlink(join(TOOL_ROOT, 'node_modules', name), join(root, 'node_modules', name));
    }
    // The global setup compiled the real CLI: start from a copy of it.
    await cp(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'cli'), cli(), { recursive: true, preserveTimestamps: true });
    for (const name of await readdir(cli())) if (name.startsWith('stat-')) await rm(join(cli(), name));
    ({ compile } = (await import(pathToFileURL(join(root, 'scripts', 'compile.mjs')).href)) as { compile: () => Promise<string> });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is not compiled again for sources whose bytes are those it was compiled from, whatever their times', async () => {
    const before = await compiledAt();
    // Other modification times than the compiled sources had (a clone, a copy): the bytes decide.
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'scripts', 'errors.ts'), old, old);
    expect(await compile()).toBe(join(cli(), 'cli.mjs'));
    expect(await compiledAt()).toBe(before);
    // The bytes matched, and the sources' stat is kept for the next start, which reads no source.
    expect((await readdir(cli())).filter((name) => name.startsWith('stat-'))).toHaveLength(1);
    await compile();
    expect(await compiledAt()).toBe(before);
  });

  it('is compiled again when a source changes, and the new code carries the new stamp', async () => {
    const stampBefore = await stampOf();
    const before = await compiledAt();
    await writeFile(join(root, 'scripts', 'errors.ts'), `${await readFile(join(root, 'scripts', 'errors.ts'), 'utf8')}\n// An edit.\n`);
    await compile();
    const stamp = await stampOf();
    expect(stamp).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp).not.toBe(stampBefore);
    expect(await compiledAt()).not.toBe(before);
    // The manifest's run signature takes the stamp from the code itself (BRIEF_SOURCES_STAMP).
    const code = await Promise.all((await readdir(cli())).filter((name) => name.endsWith('.mjs')).map((name) => readFile(join(cli(), name), 'utf8')));
    expect(code.some((text) => text.includes(JSON.stringify(stamp)))).toBe(true);
  });
});

describe('an internal error of the compiled CLI', () => {
  it('shows its stack at the TypeScript sources, mapped when shown rather than at every start', async () => {
    const { createProject, brief } = await import('./helpers/project.ts');
    const { execFile } = await import('node:child_process');
    const project = await createProject({ 'source/x.md': brief('Text.\n', { title: 'X' }) });
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = execFile(process.execPath, [join(TOOL_ROOT, 'scripts', 'bootstrap.mjs'), 'build', '--format', 'html'], { cwd: project.root, env: { ...process.env, BRIEF_FAULTS: 'record-fails:x' } }, (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }));
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('brief: Internal error (a bug in brief, not in your brief; please report it):');
      const frames = result.stderr.split('\n').filter((line) => line.trim().startsWith('at '));
      expect(frames.length).toBeGreaterThan(3);
      // The fault is thrown in build.ts: the first frame says so, at a line of that file.
      const [file, line] = /(\/scripts\/pipeline\/build\.ts):(\d+):\d+/.exec(frames[0]!)!.slice(1);
      expect(file).toBe('/scripts/pipeline/build.ts');
      const source = (await readFile(join(TOOL_ROOT, 'scripts', 'pipeline', 'build.ts'), 'utf8')).split('\n')[Number(line) - 1];
      expect(source).toContain('Injected fault: recording');
      expect(result.stderr).not.toMatch(/\.cache\/brief\/cli\/[\w-]+\.mjs/);
    } finally {
      await project.remove();
    }
  });
});
