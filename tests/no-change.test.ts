import { appendFile, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brief, createProject, type TempProject } from './helpers/project.ts';

/** Handouts only: the index and the manifest are the same whatever the formats, and no Chrome starts. */
const BUILD = ['build', '--format', 'html'];

let project: TempProject;

/** A file's identity and time: a rename over it (an atomic write) changes the inode, any write the mtime. */
async function identity(path: string): Promise<{ ino: number; mtimeMs: number }> {
  const info = await stat(join(project.root, path));
  return { ino: info.ino, mtimeMs: info.mtimeMs };
}

async function build(expectedCode = 0): Promise<{ stdout: string; stderr: string }> {
  const result = await project.run(BUILD);
  expect(result.code, result.stderr).toBe(expectedCode);
  return result;
}

beforeAll(async () => {
  project = await createProject({
    'source/a.md': brief('Alpha.\n', { title: 'Alpha' }),
    'source/b.md': brief('Beta.\n', { title: 'Beta' }),
  });
  // Saved an hour ago: a file saved within the last two seconds is hashed again on every build
  // until it is older (it could still change within its mtime's tick), so the first builds
  // would still be recording their hashes.
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const folder of ['source', 'templates']) {
    for (const path of await readdir(join(project.root, folder), { recursive: true })) await utimes(join(project.root, folder, path), anHourAgo, anHourAgo);
  }
  await build();
});
afterAll(() => project.remove());

describe('a build when nothing changed', () => {
  it('rewrites neither output/index.html nor the manifest', async () => {
    const before = { index: await identity('output/index.html'), manifest: await identity('output/.brief-manifest.json') };
    const { stdout } = await build();
    expect(stdout).toMatch(/^All 2 briefs are up to date/m);
    expect({ index: await identity('output/index.html'), manifest: await identity('output/.brief-manifest.json') }).toEqual(before);
  });

  it('renders the index again when a file of templates/_index changes, and rebuilds no brief', async () => {
    const handout = await identity('output/a.html');
    await appendFile(join(project.root, 'templates/_index/style.css'), '\n.index-test-marker { color: #123456; }\n');
    const { stdout } = await build();
    expect(stdout).toMatch(/^All 2 briefs are up to date/m);
    expect(await project.read('output/index.html')).toContain('.index-test-marker');
    expect(await identity('output/a.html')).toEqual(handout);
  });

  it('writes the index again when it was deleted, or edited by hand', async () => {
    const rendered = await project.read('output/index.html');
    await rm(join(project.root, 'output/index.html'));
    await build();
    expect(await project.read('output/index.html')).toBe(rendered);
    await writeFile(join(project.root, 'output/index.html'), rendered.replace('Alpha', 'Edited by hand'));
    await build();
    expect(await project.read('output/index.html')).toBe(rendered);
  });

  it('links a brief’s output that appeared, and unlinks one that went, without rebuilding the brief', async () => {
    // A PDF of an earlier `npm run build`: the index links whatever outputs are there.
    await writeFile(join(project.root, 'output/b.pdf'), '%PDF-1.7 stand-in');
    let { stdout } = await build();
    expect(stdout).toMatch(/^All 2 briefs are up to date/m);
    expect(await project.read('output/index.html')).toContain('href="b.pdf"');
    await rm(join(project.root, 'output/b.pdf'));
    ({ stdout } = await build());
    expect(stdout).toMatch(/^All 2 briefs are up to date/m);
    expect(await project.read('output/index.html')).not.toContain('href="b.pdf"');
  });

  it('lists a new brief, and drops a deleted one', async () => {
    await project.write('source/c.md', brief('Gamma.\n', { title: 'Gamma' }));
    await build();
    expect(await project.read('output/index.html')).toContain('href="c.html"');
    await rm(join(project.root, 'source/c.md'));
    await build();
    expect(await project.read('output/index.html')).not.toContain('c.html');
  });

  it('reports a broken _index template on every build, not only the one after the edit', async () => {
    const layout = join(project.root, 'templates/_index/layout.hbs');
    const good = await readFile(layout, 'utf8');
    await writeFile(layout, good.replace('{{/each}}', '{{/if}}'));
    for (let run = 0; run < 2; run++) {
      // The index's error fails the build, whose briefs were all written.
      const { stderr } = await build(1);
      expect(stderr).toMatch(/^templates\/_index\/layout\.hbs:\d+:\d+ error .*The index \(output\/index\.html\) was not written/m);
    }
    await writeFile(layout, good);
    const { stderr } = await build();
    expect(stderr).not.toContain('_index');
  });
});
