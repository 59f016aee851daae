import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';

let project: TempProject;
const outputs = ['a.html', 'a.pdf', 'b.html', 'b.pdf'];
const handouts = ['a.html', 'b.html'];
/**
 * What is rebuilt is decided per brief, whatever the formats: after the tests that follow PDFs
 * through, the rest build handouts only (`--format html`), so Chrome prints no PDF they ignore.
 */
const HTML_ONLY = ['build', '--format', 'html'];

async function mtimes(names: string[]): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  for (const name of names) times[name] = (await stat(join(project.root, 'output', name))).mtimeMs;
  return times;
}

/** The outputs a build rewrote, from their modification times before and after. */
async function rewrittenBy(argv: string[] = ['build']): Promise<{ rewritten: string[]; stdout: string }> {
  const names = argv.includes('html') ? handouts : outputs;
  const before = await mtimes(names);
  const result = await project.run(argv);
  expect(result.code, result.stderr).toBe(0);
  const after = await mtimes(names);
  return { rewritten: names.filter((name) => after[name] !== before[name]), stdout: result.stdout };
}

beforeAll(async () => {
  project = await createProject({
    'source/a.md': brief('![Map](map.png)\n\nAlpha.\n', { title: 'Alpha' }),
    'source/b.md': brief('Beta.\n', { title: 'Beta' }),
  });
  await project.write('source/map.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
  const first = await project.run(['build']);
  expect(first.code, first.stderr).toBe(0);
});
afterAll(() => project.remove());

describe('incremental builds', () => {
  it('rewrites nothing when nothing changed, launches no Chrome, and says so', async () => {
    const { rewritten, stdout } = await rewrittenBy();
    expect(rewritten).toEqual([]);
    expect(stdout).not.toContain('Chrome ready');
    expect(stdout).toMatch(/^All 2 briefs are up to date \(checked in [\d.]+ m?s\); --force rebuilds them\.$/m);
  });

  it('rebuilds only the brief whose source changed', async () => {
    await project.write('source/b.md', brief('Beta, edited.\n', { title: 'Beta' }));
    const { rewritten, stdout } = await rewrittenBy();
    expect(rewritten).toEqual(['b.html', 'b.pdf']);
    expect(stdout).toContain('Built 1 of 2 briefs');
    expect(stdout).toContain('1 up to date');
  });

  it('does not rebuild for a save that changes nothing (same content, new time)', async () => {
    await project.write('source/b.md', brief('Beta, edited.\n', { title: 'Beta' }));
    expect((await rewrittenBy()).rewritten).toEqual([]);
  });

  it('writes again an output that was deleted', async () => {
    // A handout deleted is found as a PDF would be (tests/stale.test.ts follows a PDF rebuilt): no Chrome needed.
    await rm(join(project.root, 'output', 'a.html'));
    const result = await project.run(HTML_ONLY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Built 1 of 2 briefs');
    // Only the brief whose output was deleted is built again: b's outputs are untouched.
    expect((await rewrittenBy(HTML_ONLY)).rewritten).toEqual([]);
    await stat(join(project.root, 'output', 'a.html'));
  });

  it('rebuilds the briefs that use an image when the image changes', async () => {
    const png = await readFile(join(project.root, 'source', 'map.png'));
    await writeFile(join(project.root, 'source', 'map.png'), Buffer.concat([png, Buffer.from([0])]));
    expect((await rewrittenBy(HTML_ONLY)).rewritten).toEqual(['a.html']);
  });

  it('rebuilds every brief of a template when one of its files changes', async () => {
    const css = await project.read('templates/policy-brief/print.css');
    await project.write('templates/policy-brief/print.css', `${css}\n/* changed */\n`);
    expect((await rewrittenBy(HTML_ONLY)).rewritten).toEqual(handouts);
  });

  it('rebuilds everything when brief.config.yaml changes', async () => {
    await project.write('brief.config.yaml', 'organization: Example Office\n');
    expect((await rewrittenBy(HTML_ONLY)).rewritten).toEqual(handouts);
    expect(await project.read('output/a.html')).toContain('Example Office');
  });

  it('writes again an output that was edited by hand', async () => {
    await writeFile(join(project.root, 'output', 'b.html'), 'edited by hand');
    const { rewritten } = await rewrittenBy(HTML_ONLY);
    expect(rewritten).toEqual(['b.html']);
    expect(await project.read('output/b.html')).toContain('<title>Beta</title>');
  });

  it('rebuilds everything with --force', async () => {
    const { rewritten, stdout } = await rewrittenBy([...HTML_ONLY, '--force']);
    expect(rewritten).toEqual(handouts);
    expect(stdout).toContain('Built 2 of 2 briefs');
  });

  it('keeps no record of a brief that failed, so it is built again once fixed', async () => {
    await project.write('source/b.md', '---\ntitle: [unclosed\n---\n');
    const failed = await project.run(HTML_ONLY);
    expect(failed.code, failed.stderr).toBe(1);
    await project.write('source/b.md', brief('Beta, edited.\n', { title: 'Beta' }));
    const fixed = await project.run(HTML_ONLY);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('Built 1 of 2 briefs');
  });
});
