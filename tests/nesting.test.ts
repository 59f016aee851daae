import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { growth, LINEAR_BOUND } from './helpers/growth.ts';
import { renderBody } from './helpers/markdown.ts';
import { createProject, type TempProject } from './helpers/project.ts';

const TOO_DEEP = 'The text is nested more than 48 levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml. (limit-depth)';
const errors = (messages: string[]) => messages.filter((message) => message.includes('(limit-depth)'));
const lines = (count: number, line: (index: number) => string) => Array.from({ length: count }, (_, index) => line(index)).join('\n') + '\n';

describe('nesting measured on the trees', () => {
  it.each([
    ['50 autolinks', lines(50, (index) => `See <https://example.org/${index}>.`)],
    ['50 code lines with Promise<void>', '```ts\n' + lines(50, (index) => `async function f${index}(): Promise<void> {`) + '```\n'],
    ['50 code spans with <div>', lines(50, (index) => `Write \`<div>\` number ${index}.`)],
    ['50 <li> without end tags', '<ul>\n' + lines(50, (index) => `<li>item ${index}`) + '</ul>\n'],
    ['50 <p> without end tags', lines(50, (index) => `<p>paragraph ${index}`)],
    ['void elements', lines(60, () => '<br><img alt="x" src="map.png"><hr>')],
    ['code indented 120 columns inside a list', `- item\n\n${' '.repeat(120)}deep code\n`],
    ['a fenced block of 100 ">" quotes', '```\n' + '> '.repeat(100) + 'quoted\n```\n'],
    ['a fenced block of 200 "*"', '```\n' + '*'.repeat(200) + 'x' + '*'.repeat(200) + '\n```\n'],
    ['a code span of 200 "*"', '`' + '*'.repeat(200) + '`\n'],
    ['200 escaped "*"', '\\*'.repeat(200) + '\n'],
    ['a thematic break of 300 "*"', '*'.repeat(300) + '\n'],
    ['48 nested quotes', '> '.repeat(48) + 'deep enough\n'],
    ['48 nested <div>', '<div>'.repeat(48) + 'x' + '</div>'.repeat(48) + '\n'],
  ])('accepts %s', async (_, markdown) => {
    const { messages } = await renderBody(markdown);
    expect(errors(messages)).toEqual([]);
  });

  it('refuses 49 nested quotes at the 49th', async () => {
    const { messages } = await renderBody('Text.\n\n' + '> '.repeat(49) + 'too deep\n');
    expect(errors(messages)).toEqual([`3:97 ${TOO_DEEP}`]);
  });

  it('refuses lists nested 49 deep at the 49th item', async () => {
    const { messages } = await renderBody(lines(49, (index) => `${'  '.repeat(index)}- level ${index + 1}`));
    expect(errors(messages)).toEqual([`49:97 ${TOO_DEEP}`]);
  });

  it('counts raw HTML inside Markdown containers, at the element past the limit', async () => {
    const { messages } = await renderBody('> '.repeat(40) + '\n' + '> '.repeat(40) + '<div>'.repeat(9) + 'x' + '</div>'.repeat(9) + '\n');
    expect(errors(messages)).toEqual([`2:121 ${TOO_DEEP}`]);
  });

  it('refuses 5,000 nested <div>s cleanly at the 49th, never with a stack overflow', async () => {
    const { messages, html } = await renderBody('Intro.\n\n' + '<div>'.repeat(5000) + 'x' + '</div>'.repeat(5000) + '\n');
    expect(messages).toEqual([`3:241 ${TOO_DEEP}`]);
    expect(html).toBe('');
  });

  it('refuses 1,000 nested quotes and emphasis nested 60 deep without overflowing', async () => {
    expect(errors((await renderBody('>'.repeat(1000) + ' x\n')).messages)).toEqual([`1:49 ${TOO_DEEP}`]);
    expect(errors((await renderBody('*a '.repeat(60) + 'x' + '*'.repeat(60) + '\n')).messages)).toEqual([`1:145 ${TOO_DEEP}`]);
  });

  it('keeps the guard on long runs of emphasis markers, naming limits.max_depth', async () => {
    const stars = (count: number) => 'Text.\n\n' + 'Stars ' + '*'.repeat(count) + 'x' + '*'.repeat(count) + '\n';
    const { messages } = await renderBody(stars(20000));
    expect(messages).toEqual(['3:7 A run of 20000 "*" characters would nest emphasis more than 48 levels deep (limits.max_depth); escape them (\\*) or shorten the run. (limit-depth)']);
    // Stopped before emphasis is matched (quadratic in the run's length): the cost grows as the text does.
    expect(await growth((count) => renderBody(stars(count)), 5000)).toBeLessThan(LINEAR_BOUND);
    const mixed = await renderBody('_*'.repeat(100) + 'x\n');
    expect(mixed.messages).toEqual(['1:1 A run of 200 "_" and "*" characters would nest emphasis more than 48 levels deep (limits.max_depth); escape them (\\_) or shorten the run. (limit-depth)']);
  });
});

describe('real documents with deep-looking text', () => {
  let project: TempProject;
  beforeAll(async () => {
    const spec = (createRequire(import.meta.url)('commonmark-spec') as { text: string }).text;
    project = await createProject({ 'source/commonmark-spec.md': spec });
  });
  afterAll(() => project.remove());

  it('builds the CommonMark spec, its 650 examples of every construct included', async () => {
    const result = await project.run(['build', '--format', 'html']);
    expect(result.stderr).not.toContain(' error ');
    expect(result.code).toBe(0);
    const html = await project.read('output/commonmark-spec.html');
    expect(html).toContain('<title>CommonMark Spec</title>');
    expect(html).toContain('<h2 id="block-quotes">Block quotes</h2>');
  });
});
