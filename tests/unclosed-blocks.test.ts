import { describe, expect, it } from 'vitest';
import { renderBody } from './helpers/markdown.ts';
import { brief, createProject } from './helpers/project.ts';

const unclosed = (messages: string[]) => messages.filter((message) => message.includes('(unclosed-directive)'));

describe('unclosed ::: blocks', () => {
  it('is an error at the opening line that names the block and where the file ended', async () => {
    const { messages } = await renderBody('## One\n\n:::sidebar[Background]\nHistory.\n\n## Two\n\nMore text.[^1]\n\n[^1]: A note.\n');
    expect(unclosed(messages)).toEqual(['3:1 The block ":::sidebar" opened here is never closed, so it takes in everything up to the end of the file (line 10). Add a ":::" line where it should end. (unclosed-directive)']);
  });

  it('says so for a block inside another whose fence closes the outer one (outer fences need more colons)', async () => {
    const { messages } = await renderBody(':::sidebar\n:::callout{type=note}\nInner.\n:::\n\nAfter.\n');
    expect(unclosed(messages)).toEqual(['2:1 The block ":::callout" opened here is never closed, so it takes in everything up to the end of the block ":::sidebar" it is in (line 4). Add a ":::" line where it should end. (unclosed-directive)']);
  });

  it('says where a block inside a quote ended', async () => {
    const { messages } = await renderBody('> :::pullquote\n> Quoted.\n\nAfter the quote.\n');
    expect(unclosed(messages)).toEqual(['1:3 The block ":::pullquote" opened here is never closed, so it takes in everything up to the end of the quote it is in (line 2). Add a ":::" line where it should end. (unclosed-directive)']);
  });

  it('accepts closed blocks: nested, empty, longer fences, inside quotes, at the end of the file', async () => {
    const { messages } = await renderBody('::::sidebar\n:::callout{type=tip}\nIn.\n:::\n::::\n\n:::pullquote\n:::\n\n> :::callout\n> Quoted.\n> :::\n\n:::sidebar\nLast.\n:::');
    expect(unclosed(messages)).toEqual([]);
  });

  it('fails that brief, and the others are built', async () => {
    const project = await createProject({ 'source/broken.md': brief(':::sidebar\nSwallowed.\n'), 'source/fine.md': brief(':::sidebar\nBoxed.\n:::\n') });
    try {
      const result = await project.run(['build', '--format', 'html']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('source/broken.md:6:1 error The block ":::sidebar" opened here is never closed, so it takes in everything up to the end of the file (line 7).');
      expect(await project.read('output/fine.html')).toContain('<aside class="sidebar"');
    } finally {
      await project.remove();
    }
  });
});
