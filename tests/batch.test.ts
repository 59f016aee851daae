import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { axeViolationsOn, nuHtmlCheck, testBrowser } from './helpers/validators.ts';

/** A tree of briefs: nested folders, English editions with their Japanese ones. */
const TREE: Record<string, string> = {
  'source/asia/japan/alliance.md': brief('## Overview\n\nThe alliance.\n', { title: 'The Alliance', translations: '[{lang: ja, href: alliance.ja.md}]', summary: 'An alliance.' }),
  'source/asia/japan/alliance.ja.md': brief('## 概要\n\n同盟。\n', { title: '日米同盟', lang: 'ja', translations: '[{lang: en, href: alliance.md}]' }),
  'source/asia/korea.md': brief('Korea.\n', { title: 'Korea' }),
  'source/europe/nato/burden.md': brief('Burden sharing.\n', { title: 'Burden Sharing' }),
  'source/europe/trade.md': brief('Trade.\n', { title: 'Trade' }),
  'source/top.md': brief('Top level.\n', { title: 'Top Level' }),
  'source/undated.md': '---\ntitle: No Date\n---\n\nA brief without a date.\n',
};
const OUTPUTS = Object.keys(TREE).flatMap((path) => ['html', 'pdf'].map((ext) => path.replace(/^source\//, 'output/').replace(/\.md$/, `.${ext}`)));

function hashes(root: string): Record<string, string> {
  return Object.fromEntries(OUTPUTS.map((path) => [path, createHash('sha256').update(readFileSync(join(root, path))).digest('hex')]));
}

let project: TempProject;
let first: Awaited<ReturnType<TempProject['run']>>;

beforeAll(async () => {
  project = await createProject({ ...TREE, 'brief.config.yaml': 'organization: Example Office\nbase_url: https://example.org/briefs/\n' });
  first = await project.run(['build', '--jobs', '2'], { SOURCE_DATE_EPOCH: '1262304000' });
  expect(first.code, first.stderr).toBe(0);
});
afterAll(() => project.remove());

describe('a tree of briefs', () => {
  it('builds every brief at any depth, mirroring the tree under output/', () => {
    for (const path of OUTPUTS) expect(statSync(join(project.root, path)).size, path).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/Built 7 of 7 briefs in [\d.]+ m?s\./);
  });

  it('gives the same bytes when built again, any day', async () => {
    // Two briefs stand for all: an English one dated by SOURCE_DATE_EPOCH, a Japanese one by its front matter.
    const again = ['source/undated.md', 'source/asia/japan/alliance.ja.md'];
    const outputs = OUTPUTS.filter((path) => again.some((source) => path.startsWith(source.replace(/^source\//, 'output/').replace(/\.md$/, '.'))));
    expect(outputs).toHaveLength(4);
    const before = hashes(project.root);
    const result = await project.run(['build', '--force', ...again], { SOURCE_DATE_EPOCH: '1262304000' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Built 2 of 2 briefs/);
    const after = hashes(project.root);
    for (const path of outputs) expect(after[path], path).toBe(before[path]);
    // A build of some briefs writes an index of those only: an up-to-date build of all restores it.
    expect((await project.run(['build'], { SOURCE_DATE_EPOCH: '1262304000' })).stdout).toContain('All 7 briefs are up to date');
  });

  it('dates a PDF from the brief, or from SOURCE_DATE_EPOCH, never from the clock', async () => {
    const { execFile } = await import('node:child_process');
    const info = (path: string) => new Promise<string>((resolve) => execFile('pdfinfo', ['-isodates', join(project.root, path)], (_, stdout) => resolve(stdout)));
    expect(await info('output/top.pdf')).toMatch(/CreationDate:\s+2024-05-01T00:00:00/);
    expect(await info('output/undated.pdf')).toMatch(/CreationDate:\s+2010-01-01T00:00:00/);
  });

  it('splits into shards that cover the set exactly once', async () => {
    const built: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = await project.run(['build', '--format', 'html', '--force', '--shard', shard, '--out', `shard-${shard[0]}`]);
      expect(result.code, result.stderr).toBe(0);
      const dir = join(project.root, `shard-${shard[0]}`);
      built.push(...readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.html') && name !== 'index.html').map((name) => relative('.', name)));
    }
    const expected = Object.keys(TREE).map((path) => path.replace(/^source\//, '').replace(/\.md$/, '.html'));
    expect(built.sort()).toEqual(expected.sort());
    expect(new Set(built).size).toBe(built.length);
    // Each shard's index links the whole set, so any one of them serves the merged output.
    for (const shard of ['1', '2', '3']) {
      const index = await project.read(`shard-${shard}/index.html`);
      for (const path of expected) expect(index, `shard ${shard}: ${path}`).toContain(`href="${path}"`);
    }
  });
});

describe('the handout index', () => {
  let html: string;
  beforeAll(async () => {
    html = await project.read('output/index.html');
  });

  it('lists every brief with its title, date, language, summary and both files with their sizes', () => {
    for (const title of ['The Alliance', '日米同盟', 'Korea', 'Burden Sharing', 'Trade', 'Top Level', 'No Date']) expect(html).toContain(`>${title}</a></h3>`);
    expect(html).toContain('<time datetime="2024-05-01">May 1, 2024</time>');
    expect(html).toContain('<p class="summary">An alliance.</p>');
    expect(html).toMatch(/<a href="asia\/japan\/alliance\.html">HTML <span class="size">\d+ KB<\/span><\/a><a href="asia\/japan\/alliance\.pdf" type="application\/pdf">PDF <span class="size">\d+ KB<\/span><\/a>/);
  });

  it('groups briefs by folder, and puts the two editions of one brief side by side', () => {
    const folders = [...html.matchAll(/<h2 id="group-\d+">(.*?)<\/h2>/g)].map((match) => match[1]);
    expect(folders).toEqual(['Top folder', 'asia/', 'asia/japan/', 'europe/', 'europe/nato/']);
    expect(html).toMatch(/<li class="brief">\s*<article lang="en" class="edition">[\s\S]*?The Alliance[\s\S]*?<\/article>\s*<article lang="ja" class="edition">[\s\S]*?日米同盟[\s\S]*?<\/article>\s*<\/li>/);
  });

  it('is rewritten only when it changes', async () => {
    const before = statSync(join(project.root, 'output', 'index.html')).mtimeMs;
    const again = await project.run(['build'], { SOURCE_DATE_EPOCH: '1262304000' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('All 7 briefs are up to date');
    expect(statSync(join(project.root, 'output', 'index.html')).mtimeMs).toBe(before);
  });
});

describe('handouts for distribution', () => {
  const HANDOUTS = [...OUTPUTS.filter((name) => name.endsWith('.html')), 'output/index.html'];
  /** Each handout opened once with the network off: what it requested, what failed, then axe-core's verdict on the same page. */
  const opened = new Map<string, { failed: string[]; requested: string[]; axe: string[] }>();
  beforeAll(async () => {
    // One tab, offline throughout, that opens each handout in turn: what each load asked for is
    // counted from its own navigation on.
    const page = await (await testBrowser()).newPage();
    try {
      await page.setOfflineMode(true);
      let failed: string[] = [];
      let requested: string[] = [];
      page.on('requestfailed', (request) => failed.push(request.url().slice(0, 80)));
      page.on('request', (request) => requested.push(request.url().slice(0, 40)));
      for (const path of HANDOUTS) {
        failed = [];
        requested = [];
        await page.goto(pathToFileURL(join(project.root, path)).href, { waitUntil: 'load' });
        // What loading the handout asked for, before axe-core is added to the page.
        const loaded = { failed: [...failed], requested: [...requested] };
        opened.set(path, { ...loaded, axe: await axeViolationsOn(page) });
      }
    } finally {
      await page.close();
    }
  });

  it('work offline: opened with the network off, no request fails', () => {
    expect([...opened.keys()]).toEqual(HANDOUTS);
    for (const [path, { failed, requested }] of opened) {
      expect(failed, path).toEqual([]);
      expect(requested.filter((url) => !url.startsWith('data:') && !url.startsWith('file:')), path).toEqual([]);
    }
  });

  it('carry Open Graph, a canonical link and citation tags', async () => {
    const html = await project.read('output/asia/japan/alliance.html');
    expect(html).toContain('<link rel="canonical" href="https://example.org/briefs/asia/japan/alliance.html">');
    expect(html).toContain('<meta property="og:title" content="The Alliance">');
    expect(html).toContain('<meta property="og:url" content="https://example.org/briefs/asia/japan/alliance.html">');
    expect(html).toContain('<meta property="og:locale" content="en_US">');
    expect(html).toContain('<meta name="citation_title" content="The Alliance">');
    expect(html).toContain('<meta name="citation_publication_date" content="2024/05/01">');
    expect(html).toContain('<meta name="citation_pdf_url" content="https://example.org/briefs/asia/japan/alliance.pdf">');
    expect(await project.read('output/asia/japan/alliance.ja.html')).toContain('<meta property="og:locale" content="ja_JP">');
  });

  it('embed fonts only as the subsets they use', async () => {
    const japanese = await project.read('output/asia/japan/alliance.ja.html');
    // A short Japanese handout carries a few dozen kilobytes of Japanese glyphs, not megabytes.
    expect(Buffer.byteLength(japanese)).toBeLessThan(250_000);
    expect(japanese).not.toContain('font-family:"Source Code Pro"');
  });

  it('pass the Nu Html Checker and axe-core, the index included', async () => {
    expect(await nuHtmlCheck(HANDOUTS.map((path) => join(project.root, path)))).toEqual([]);
    for (const path of HANDOUTS) expect(opened.get(path)!.axe, path).toEqual([]);
  });
});

describe('a brief that breaks Chrome', () => {
  it('is retried once, reported with its reason, and the others are built', async () => {
    const faults = await createProject({ 'source/crash-once.md': brief('Once.\n'), 'source/killer.md': brief('Kills Chrome.\n'), 'source/always.md': brief('Always.\n'), 'source/fine.md': brief('Fine.\n') });
    try {
      // One at a time, so that Chrome killed for one brief cannot catch another mid-print.
      const result = await faults.run(['build', '--jobs', '1'], { BRIEF_FAULTS: 'crash-page:crash-once,kill-chrome:killer,crash-page-always:always' });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toContain('Built 3 of 4 briefs');
      expect(result.stdout).toContain('1 failed');
      expect(result.stdout).toContain('Chrome stopped responding; starting a new one.');
      // A crashed page is seen either as the crash itself or as its frame gone, whichever comes first.
      expect(result.stderr).toMatch(/^source\/crash-once\.md:1:1 warning Chrome failed while printing \((Page crashed!|Chrome closed unexpectedly)\); printed again on a fresh page\. \(print-retried\)$/m);
      expect(result.stderr).toContain('source/killer.md:1:1 warning Chrome failed while printing (Chrome closed unexpectedly); printed again on a fresh page. (print-retried)');
      expect(result.stderr).toMatch(/^source\/always\.md:1:1 error Chrome failed twice while printing this brief \((Page crashed!|Chrome closed unexpectedly)\)\. If it happens again, look for what in this brief makes Chrome crash or hang\. \(print-failed\)$/m);
      for (const name of ['crash-once', 'killer', 'fine']) expect(statSync(join(faults.root, 'output', `${name}.pdf`)).size).toBeGreaterThan(0);
    } finally {
      await faults.remove();
    }
  });
});
