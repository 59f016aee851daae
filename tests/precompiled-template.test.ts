import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { compiledPath, compileTemplate, KEPT_ON_DISK, TEMPLATE_OPTIONS } from '../scripts/pipeline/precompiled-template.ts';

const cacheFile = (source: string) => compiledPath(Handlebars, source);

describe('templates compiled once per content', () => {
  it('render as Handlebars compiles them, partials and strict-mode misses (with their place) included', async () => {
    const source = `<h1>{{title}}</h1>\n{{#each items}}<li>{{> item}}</li>{{/each}}\n{{{raw}}} {{missing}}-${Date.now()}`;
    const direct = Handlebars.create();
    const cached = Handlebars.create();
    direct.registerPartial('item', direct.compile('{{name}} &amp; more', TEMPLATE_OPTIONS));
    cached.registerPartial('item', await compileTemplate(cached, '{{name}} &amp; more'));
    const context = { title: 'A <b>', items: [{ name: 'x' }, { name: 'y' }], raw: '<i>r</i>', missing: 'm' };
    expect((await compileTemplate(cached, source))(context)).toBe(direct.compile(source, TEMPLATE_OPTIONS)(context));
    const miss = (template: Handlebars.TemplateDelegate) => {
      try {
        template({ title: 't', items: [] });
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(miss(await compileTemplate(cached, source))).toBe(miss(direct.compile(source, TEMPLATE_OPTIONS)));
    expect(miss(await compileTemplate(cached, source))).toMatch(/"raw" not defined in .* - 3:3$/);
  });

  it('are kept on disk for the next run; a damaged copy is compiled again and replaced', async () => {
    const source = `<p>{{text}}</p><!-- ${Date.now()} ${Math.random()} -->`;
    const handlebars = Handlebars.create();
    expect((await compileTemplate(handlebars, source))({ text: 'one' })).toContain('<p>one</p>');
    const kept = await readFile(cacheFile(source), 'utf8');
    expect(kept).toContain('"compiler":[8,">= 4.3.0"]');
    // A damaged copy (a source this process has not compiled, so nothing in memory): compiled again and replaced.
    const fresh = `${source} `;
    await writeFile(cacheFile(fresh), 'not { javascript');
    expect((await compileTemplate(handlebars, fresh))({ text: 'two' })).toContain('<p>two</p>');
    expect(await readFile(cacheFile(fresh), 'utf8')).toContain('"compiler":[8,">= 4.3.0"]');
  });

  it('keep no more than the last KEPT_ON_DISK on disk, however many versions watch mode compiles', async () => {
    const handlebars = Handlebars.create();
    const versions = Array.from({ length: KEPT_ON_DISK + 5 }, (_, index) => `<p>{{text}}</p><!-- version ${index} ${Date.now()} -->`);
    for (const source of versions) await compileTemplate(handlebars, source);
    const kept = (await readdir(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'handlebars'))).filter((name) => name.endsWith('.js'));
    expect(kept.length).toBeLessThanOrEqual(KEPT_ON_DISK);
    expect(await readFile(cacheFile(versions.at(-1)!), 'utf8')).toContain('"compiler":[8,">= 4.3.0"]');
  });

  it('still fail at load on a syntax error, with the line Handlebars names', async () => {
    await expect(compileTemplate(Handlebars.create(), `<p>\n{{#if x}}\n{{/each}}${Date.now()}`)).rejects.toThrow(/Parse error on line 3|doesn't match/);
  });
});
