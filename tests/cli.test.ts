import { chmod, cp, readFile, symlink } from 'node:fs/promises';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brief, createProject, runCliWithPermissions, type TempProject } from './helpers/project.ts';

let project: TempProject;
afterEach(async () => {
  await project?.remove();
});

describe('npm run build: usage', () => {
  it('prints help and exits 0', async () => {
    project = await createProject();
    const result = await project.run(['build', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: npm run build -- [files or folders…] [options]');
    expect(result.stdout).toContain('--format LIST');
  });

  it.each([
    [['build', '--nope'], "brief: Unknown option '--nope'."],
    [['build', '--format', 'docx'], 'brief: --format takes html, pdf or html,pdf; got "docx".'],
    [['build', '--jobs', 'many'], 'brief: --jobs takes a whole number from 1 to 64; got "many".'],
    [['build', '--shard', '3/2'], 'brief: --shard takes I/N with 1 ≤ I ≤ N, such as 2/4; got "3/2".'],
    [['build', 'nowhere/'], 'brief: No such file or folder: nowhere'],
    [['compile'], 'brief: Unknown command "compile".'],
  ])('rejects %j with exit 2 and one line saying why', async (argv, message) => {
    project = await createProject();
    const result = await project.run(argv);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(message);
  });
});

describe('npm run build: briefs that fail', () => {
  it('builds the good briefs, reports the bad one with file:line:col and exits 1', async () => {
    project = await createProject({
      'source/good.md': brief('Fine.\n'),
      'source/bad.md': brief('Text.\n', { date: 'last week' }),
    });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('source/bad.md:3:7 error Front-matter field "date" is "last week"; expected a date as YYYY-MM-DD or YYYY-MM, such as 2009-09-30. (front-matter-field)');
    expect(existsSync(join(project.root, 'output/good.html'))).toBe(true);
    expect(existsSync(join(project.root, 'output/bad.html'))).toBe(false);
    expect(result.stdout).toContain('Built 1 of 2 briefs');
    expect(result.stdout).toContain('1 failed');
  });

  it('names the templates that exist when a brief asks for one that does not', async () => {
    project = await createProject({ 'source/x.md': brief('Text.\n', { template: '"annual-report"' }) });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim()).toBe('source/x.md:4:11 error Cannot find template "templates/annual-report". Create it, or set "template:" to one of: in-focus, policy-brief. (unknown-template)');
  });

  it('reports a file that cannot be read as text', async () => {
    project = await createProject({ 'source/binary.md': '\u0000\u0001PNG' });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim()).toBe('source/binary.md:1:1 error The file contains a NUL byte at byte 0: it looks like a binary file, not Markdown text. (binary-file)');
  });

  it('reports a brief whose file has gone (a broken link)', async () => {
    project = await createProject();
    await project.write('source/.keep', '');
    await symlink(join(project.root, 'source', 'gone.md'), join(project.root, 'source', 'link.md'));
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim()).toBe('source/link.md:1:1 error The file does not exist. Check the path and its permissions. (unreadable-file)');
  });

  it('says "cannot read … permission denied" for an image, a template file or folder it may not read', async () => {
    project = await createProject({
      'source/image.md': brief('![Map of the bases](map.png)\n'),
      'source/file.md': brief('Text.\n', { template: 'locked-file' }),
      'source/folder.md': brief('Text.\n', { template: 'locked-folder' }),
    });
    await project.write('source/map.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
    for (const copy of ['locked-file', 'locked-folder']) await cp(join(project.root, 'templates', 'policy-brief'), join(project.root, 'templates', copy), { recursive: true });
    const locked = [join(project.root, 'source', 'map.png'), join(project.root, 'templates', 'locked-file', 'partials', 'toc.hbs'), join(project.root, 'templates', 'locked-folder', 'partials')];
    for (const path of locked) await chmod(path, 0o000);
    const result = await runCliWithPermissions(['build', '--format', 'html'], project.root);
    for (const path of locked) await chmod(path, 0o755);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('source/image.md:6:1 warning Cannot read image "map.png" (source/map.png): permission denied. Check its permissions and those of its folders. (missing-image)');
    expect(result.stderr).toContain(`templates/locked-file/partials/toc.hbs:1:1 error Cannot read ${locked[1]}: permission denied. Check its permissions (and those of its folders). (template-unreadable)`);
    expect(result.stderr).toContain(`templates/locked-folder/partials:1:1 error Cannot read ${locked[2]}: permission denied.`);
  });

  it('reports a broken index template at its line and column, builds the briefs, and exits 1', async () => {
    project = await createProject({ 'source/x.md': brief() });
    const layout = await project.read('templates/_index/layout.hbs');
    await project.write('templates/_index/layout.hbs', layout.replace('<h1>{{title}}</h1>', '<h1>{{titel}}</h1>'));
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^templates\/_index\/layout\.hbs:12:\d+ error Template: "titel" is not a field here\. Did you mean "title"\?.* The index \(output\/index\.html\) was not written; fix _index\/ or remove the folder\. \(template-error\)$/m);
    expect(existsSync(join(project.root, 'output', 'x.html'))).toBe(true);
    expect(existsSync(join(project.root, 'output', 'index.html'))).toBe(false);
  });

  it('warns, at the template CSS file\'s line, about a font selector subsetting cannot follow, and keeps the glyphs', async () => {
    project = await createProject({ 'source/x.md': brief('A paragraph to draw.\n') });
    const css = await project.read('templates/policy-brief/style.css');
    const lines = css.split('\n').length;
    await project.write('templates/policy-brief/style.css', `${css}\n.article p:nth-child(1 of p) { font-weight: 700; }\n`);
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`templates/policy-brief/style.css:${lines + 1}:1 warning Selector ".article p:nth-child(1 of p)" sets a font, but the font model cannot evaluate :nth-child(… of …): the fonts it may select are embedded with every character of the page.`);
  });

});

describe('npm run build: templates that fail, each reported at its own file, line and column', () => {
  /**
   * One build for all: each case is a copy of policy-brief named after it, broken one way, and
   * the brief of the same name uses it. Each test reads the lines about its own template and brief.
   */
  const BROKEN: Record<string, (dir: string) => Promise<void>> = {
    'misspelt-layout': (dir) => edit(`${dir}/layout.hbs`, '<title>{{title}}</title>', '<title>{{titel}}</title>'),
    'misspelt-partial': (dir) => edit(`${dir}/partials/end-matter.hbs`, '<p class="citation">{{citation}}</p>', '<p class="citation">{{citation}} {{autor}}</p>'),
    'dotted-path': (dir) => edit(`${dir}/partials/end-matter.hbs`, '<h2 id="about-title">{{labels.about}}</h2>', '<h2 id="about-title">{{labels.abuot}}</h2>'),
    'labels-yaml': (dir) => edit(`${dir}/labels.yaml`, '  contents: Contents\n', '  contents: [Contents\n'),
    'font-package': (dir) => edit(`${dir}/fonts.yaml`, 'package: "@expo-google-fonts/source-sans-3"', 'package: "@expo-google-fonts/source-sans-4"'),
    'css-syntax': (dir) => broken.write(`${dir}/extra.css`, '.a { color: red;\n\n.b { font-weight: 700 }\n'),
    'handlebars-syntax': (dir) => broken.write(`${dir}/partials/toc.hbs`, '<nav>{{#each toc}}\n{{/if}}</nav>\n'),
  };
  let broken: TempProject;
  let result: Awaited<ReturnType<TempProject['run']>>;
  async function edit(path: string, from: string, to: string): Promise<void> {
    const text = await broken.read(path);
    expect(text, path).toContain(from);
    await broken.write(path, text.replace(from, to));
  }
  /** The lines of stderr about one case: its template's files and its brief. */
  const about = (name: string) => result.stderr.split('\n').filter((line) => line.startsWith(`templates/${name}/`) || line.startsWith(`source/${name}.md:`));

  beforeAll(async () => {
    broken = await createProject(Object.fromEntries(Object.keys(BROKEN).map((name) => [`source/${name}.md`, brief('Text.\n', { template: name })])));
    for (const [name, breakIt] of Object.entries(BROKEN)) {
      await cp(join(broken.root, 'templates', 'policy-brief'), join(broken.root, 'templates', name), { recursive: true });
      await breakIt(`templates/${name}`);
    }
    result = await broken.run(['build', '--format', 'html']);
  });
  afterAll(() => broken?.remove());

  it('fails the build (exit 1) and builds none of the briefs whose template is broken', () => {
    expect(result.code, result.stderr).toBe(1);
    for (const name of Object.keys(BROKEN)) expect(existsSync(join(broken.root, 'output', `${name}.html`)), name).toBe(false);
    expect(result.stderr).not.toContain('Internal error');
  });

  it('reports a misspelt field at the template\'s own line and column, with the fields there are', () => {
    expect(result.code, result.stderr).toBe(1);
    const line = about('misspelt-layout').find((text) => text.startsWith('templates/'))!;
    expect(line).toMatch(/^templates\/misspelt-layout\/layout\.hbs:6:\d+ error Template: "titel" is not a field here\. Did you mean "title"\? Fields here: [a-z]/);
    expect(line).toContain(', title,');
    expect(line).not.toContain('[object Object]');
  });

  it('names the partial, its line and column for a misspelt field in a partial', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(about('misspelt-partial').join('\n')).toMatch(/^templates\/misspelt-partial\/partials\/end-matter\.hbs:5:40 error Template: "autor" is not a field here\. Did you mean "author"\? Fields here: .*\bauthor\b.* \(template-error\)$/m);
    expect(about('misspelt-partial').join('\n')).not.toContain('layout.hbs');
  });

  it('names the object a dotted path looked in and its fields', () => {
    expect(about('dotted-path').join('\n')).toMatch(/^templates\/dotted-path\/partials\/end-matter\.hbs:3:\d+ error Template: "labels\.abuot" is not a field of "labels"\. Did you mean "about"\? Fields of "labels": .*\babout\b/m);
  });

  it('reports a YAML syntax error in the template\'s labels.yaml at its line and column, not on the brief', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(about('labels-yaml')).toContain('templates/labels-yaml/labels.yaml:10:13 error This list in brackets is never closed: end it with "]" on the same line, as in [one, two]. Fix labels.yaml of the template. (template-error)');
    expect(result.stderr).not.toMatch(/Internal error|^source\/labels-yaml\.md/m);
  });

  it('reports a font package fonts.yaml names that is not installed, at its line and column', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(about('font-package').join('\n')).toMatch(/^templates\/font-package\/fonts\.yaml:14:12 error Font package "@expo-google-fonts\/source-sans-4" is not installed\. Did you mean "@expo-google-fonts\/source-sans-3"\? Install it with npm install @expo-google-fonts\/source-sans-4, or fix the name\. \(template-font\)$/m);
    expect(result.stderr).not.toContain('Internal error');
  });

  it('reports a CSS syntax error in a template at its line and column', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(about('css-syntax').join('\n')).toMatch(/^templates\/css-syntax\/extra\.css:1:1 error CSS: Unclosed block\. Fix extra\.css of the template\. \(template-error\)$/m);
  });

  it('reports a Handlebars syntax error in a partial', () => {
    expect(result.code, result.stderr).toBe(1);
    expect(about('handlebars-syntax').join('\n')).toMatch(/^templates\/handlebars-syntax\/partials\/toc\.hbs:1:\d+ error Template: each doesn.t match if \(template-error\)$/m);
  });
});

describe('npm run build: HTML handouts', () => {
  it('escapes every front-matter value and inserts only the body raw', async () => {
    project = await createProject({
      'source/x.md': brief('Body with <b>bold</b> and {{title}}.\n', { title: '"<script>alert(1)</script>"', summary: '"{{{body}}} & <i>x</i>"' }),
    });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    const html = await project.read('output/x.html');
    expect(html).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<meta name="description" content="{{{body}}} &amp; &lt;i&gt;x&lt;/i&gt;">');
    expect(html).toContain('Body with <b>bold</b> and {{title}}.');
    expect(html).not.toContain('<script');
  });

  it('mirrors the source tree under the output folder', async () => {
    project = await createProject({ 'source/asia/japan.md': brief(), 'source/top.md': brief() });
    const result = await project.run(['build', '--format', 'html', '--out', 'public']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(project.root, 'public/asia/japan.html'))).toBe(true);
    expect(existsSync(join(project.root, 'public/top.html'))).toBe(true);
  });
});
