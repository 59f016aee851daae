import { watch } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { BuildSession } from '../scripts/pipeline/build.ts';
import { findBriefs } from '../scripts/pipeline/discover.ts';
import { BODY_SLOT, draftPage } from '../scripts/pipeline/draft-page.ts';
import { resolveSettings } from '../scripts/pipeline/settings.ts';
import { brief, createProject } from './helpers/project.ts';
import { renderBody } from './helpers/markdown.ts';

/** Everything of a tree that changes when a later output is made from it: marks, soft hyphens, hrefs. */
function fingerprint(tree: Root): string {
  const parts: string[] = [];
  visit(tree, (node) => {
    if (node.type === 'element') parts.push(`<${node.tagName} ${JSON.stringify(node.properties)}>`);
    if (node.type === 'text') parts.push(node.value);
  });
  return parts.join('');
}

describe('results flow forward, each made once', () => {
  it('makes the handout, the marked handout and the print from one tree, and hands that tree on untouched', async () => {
    const result = await renderBody('## Governments negotiate\n\nInternational cooperation, see [the other brief](other.md).\n', { print: true, check: true, name: 'flow.md' });
    expect(result.html).not.toMatch(/data-brief-line|\u00ad/);
    expect(result.html).toContain('href="other.html"');
    expect(result.checkHtml).toContain('data-brief-line="3:1"');
    expect(result.checkHtml).not.toContain('\u00ad');
    expect(result.printHtml).toContain('data-brief-line="3:1"');
    expect(result.printHtml).toContain('In\u00adter\u00adna\u00adtional co\u00adop\u00ader\u00adation');
    expect(result.printHtml).toContain('href="other.pdf"');
    const tree = fingerprint(result.tree);
    expect(tree).not.toMatch(/dataBriefLine|dataBrief"|\u00ad|other\.pdf/);
    expect(tree).toContain('"href":"other.html"');
    expect(result.tree.children.find((node) => node.type === 'element')?.position?.start).toMatchObject({ line: 1, column: 1 });
  });

  it('puts the body\'s own tree into the page: the body is never turned into HTML and parsed again', () => {
    const body: Root = { type: 'root', children: [{ type: 'element', tagName: 'p', properties: { id: 'x' }, children: [{ type: 'text', value: 'Body.' }] }] };
    const page = draftPage(`<!doctype html><html><head><style>p { color: red }</style></head><body><main>${BODY_SLOT}</main></body></html>`, body);
    let parent: string | undefined;
    visit(page.tree, 'element', (node, _, up) => {
      if (node === body.children[0]) parent = up?.type === 'element' ? up.tagName : up?.type;
    });
    expect(parent).toBe('main');
    expect(page.stylesheets).toEqual(['p { color: red }']);
    expect(fingerprint(page.tree)).not.toContain('color: red');
  });

  it('writes the handout once, even when the print decides against the contents list an estimate expected', async () => {
    // Three thousand one-letter words: an estimate of six pages, a print of two.
    const project = await createProject({ 'source/x.md': brief(`## One\n\n${'a '.repeat(3000)}\n\n## Two\n\nEnd.\n`) });
    try {
      // A stale handout in place, so that what is read at the end is what this build wrote.
      await project.write('output/x.html', 'stale');
      const events: string[] = [];
      const done = new Promise<void>((resolve) => {
        const watcher = watch(join(project.root, 'output'), (_, name) => {
          events.push(String(name));
          if (name === 'sentinel') {
            watcher.close();
            resolve();
          }
        });
      });
      const result = await project.run(['build', '--force']);
      // Events arrive in order: once the sentinel's is seen, every write of the build has been.
      await writeFile(join(project.root, 'output', 'sentinel'), '');
      await done;
      expect(result.code, result.stderr).toBe(0);
      expect(events.filter((name) => name === 'x.html')).toHaveLength(1);
      expect(await project.read('output/x.html')).not.toContain('class="toc"');
    } finally {
      await project.remove();
    }
  });
});

describe('a long batch holds nothing of a brief once it is recorded', () => {
  it('keeps of each brief only its messages, front matter and source hash: no source text, no parsed YAML with places', async () => {
    const project = await createProject({
      'source/one.md': brief('## Part\n\nText with a [broken link](#nowhere).\n', { title: 'One' }),
      'source/two.md': brief('## Part\n\nText.\n', { title: 'Two' }),
    });
    try {
      const settings = await resolveSettings({ inputs: [], formats: ['html'] }, { cwd: project.root, env: process.env });
      const session = await BuildSession.open(settings);
      try {
        const { results } = await session.build(await findBriefs(settings));
        expect(results.map((result) => result.status)).toEqual(['built', 'built']);
        for (const { outcome } of results) {
          expect(outcome.file.value).toBe('');
          expect(Object.keys(outcome.file.data).sort()).toEqual(['matter', 'sourceHash']);
        }
        // What the run's end prints is still there: the message, at its place, and the title.
        const one = results.find((result) => result.job.id === 'one')!;
        expect(one.outcome.file.data.matter?.title).toBe('One');
        expect(one.outcome.file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toContain('8:13 broken-link');
      } finally {
        await session.close();
      }
    } finally {
      await project.remove();
    }
  });
});
