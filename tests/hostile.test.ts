import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { startCanary, type Canary } from './helpers/canary.ts';
import { brief, chromePerRun, createProject, type CliResult, type TempProject } from './helpers/project.ts';
import { pdfText } from './helpers/pdf.ts';
import { samples } from './helpers/samples.ts';
import { startCli } from './helpers/spawn.ts';

/**
 * The hostile corpus (tests/hostile/): each file attacks one guarantee of the Security section
 * of the README, and each test asserts the exact outcome — the message and exit code, or the
 * sanitized output and the absence of any request.
 */
const HOSTILE = join(TOOL_ROOT, 'tests', 'hostile');
const run = promisify(execFile);

function hostile(name: string, port = 0): string {
  return readFileSync(join(HOSTILE, name), 'utf8').replaceAll('CANARY', String(port));
}

/** Messages of one brief from a build's stderr, as "line:col severity message (rule)". */
function messagesOf(result: CliResult, file: string): string[] {
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith(`source/${file}:`))
    .map((line) => line.slice(`source/${file}:`.length));
}

/** The handout's body: what came from the Markdown, without the template's own head. */
function article(html: string): string {
  return html.slice(html.indexOf('<main'), html.indexOf('</main>'));
}

/**
 * The briefs that need no brief.config.yaml of their own (XSS, YAML, encodings, depth limits)
 * go into ONE handout build, as a user's folder of briefs would: one broken brief never stops the
 * others, so each describe below reads its own briefs' messages and outputs from it.
 */
const shared = {
  project: undefined as unknown as TempProject,
  result: undefined as unknown as CliResult,
  /** Source files, by name under source/, registered by each describe as it is collected. */
  files: new Map<string, string | Uint8Array>(),
};

beforeAll(async () => {
  await rm('/tmp/brief-pwned', { force: true });
  shared.project = await createProject();
  for (const [name, content] of shared.files) await shared.project.write(`source/${name}`, content);
  shared.result = await shared.project.run(['build', '--format', 'html']);
});
afterAll(() => shared.project.remove());

describe('no script runs and no active content reaches a handout', () => {
  for (const name of ['xss-raw-html.md', 'xss-markdown.md', 'xss-front-matter.md']) shared.files.set(name, hostile(name));
  shared.files.set('xss-front-matter-ok.md', hostile('xss-front-matter.md').replace(/links:[\s\S]*?---/, '---'));
  shared.files.set('t.md', hostile('template-injection.md'));

  it('removes scripts, frames, objects, forms, styles, base and meta refresh from raw HTML, and says so', async () => {
    const html = article(await shared.project.read('output/xss-raw-html.html'));
    expect(html).not.toMatch(/<(script|iframe|object|embed|base|meta|form|button|style|link|svg|math|template|noscript|video|audio)\b/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(html).not.toContain('style=');
    expect(html).toContain('<a href="https://www.state.gov/">a safe link stays</a>');
    expect(html).toContain('Text after the attack, which must survive: <b>bold</b>, <abbr title="Democratic Party of Japan">DPJ</abbr>.');
    const messages = messagesOf(shared.result, 'xss-raw-html.md');
    expect(messages).toContain('5:1 warning Raw HTML <script> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote). The same for 1 more, on line 6. (unsafe-html)');
    expect(messages).toContain('19:1 warning Attribute style="…" removed from <p>: a brief takes its look from the template. Size an image with ![alt](file.png){width=50%}. (unsafe-html)');
    expect(messages).toContain('7:1 warning Event handler onerror="…" removed from <img>: no script runs in a brief. (unsafe-html)');
    expect(messages).toContain("23:1 warning Link \"java\tscript:alert('tab')\" removed from <a>: the javascript: scheme is not allowed. (unsafe-url)");
    for (const tag of ['iframe', 'object', 'embed', 'base', 'meta', 'form', 'style', 'link']) expect(messages.join('\n')).toContain(`Raw HTML <${tag}> removed`);
  });

  it('drops javascript:, vbscript: and non-image data: URLs written in Markdown', async () => {
    const html = article(await shared.project.read('output/xss-markdown.html'));
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data:text)/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(html).toContain('<p><a>js link</a>');
    expect(html).toContain('<aside class="callout callout-note" aria-label="Note"><p class="callout-title">Note</p>');
    expect(html).toContain('<code>&#x3C;script>alert(\'code\')&#x3C;/script></code>');
    expect(messagesOf(shared.result, 'xss-markdown.md')).toEqual([
      "5:1 warning Link \"javascript:alert('md')\" removed from <a>: the javascript: scheme is not allowed. (unsafe-url)",
      '6:1 warning Link "vbscript:msgbox(1)" removed from <a>: the vbscript: scheme is not allowed. (unsafe-url)',
      '7:1 warning Link "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" removed from <a>: the data: scheme is not allowed. (unsafe-url)',
      "8:1 warning Link \"javascript:alert('autolink')\" removed from <a>: the javascript: scheme is not allowed. (unsafe-url)",
      "10:1 warning Source \"javascript:alert('img')\" removed from <img>: the javascript: scheme is not allowed. (unsafe-url)",
      '12:1 warning Image data URL is not an image type; it was removed. (unsafe-url)',
      "14:1 warning Link \"javascript:alert('reference')\" removed from <a>: the javascript: scheme is not allowed. (unsafe-url)",
    ]);
  });

  it('refuses front-matter links that would run code, and escapes every other value', async () => {
    expect(messagesOf(shared.result, 'xss-front-matter.md')).toEqual([
      '8:11 error Front-matter field "links[0].href" is "javascript:alert(5)"; expected an http(s), mailto or tel address, or a path relative to the brief. (front-matter-field)',
      '10:10 error Front-matter field "contact.email" is "x@example.org\\"><script>alert(6)</script>"; expected an e-mail address such as press@example.org. (front-matter-field)',
      '11:8 error Front-matter field "contact.url" is "javascript:alert(7)"; expected an absolute http(s) URL such as https://example.org/briefs/. (front-matter-field)',
    ]);
    expect(existsSync(join(shared.project.root, 'output', 'xss-front-matter.html'))).toBe(false);
    const html = await shared.project.read('output/xss-front-matter-ok.html');
    expect(html).not.toMatch(/<script|<b>k|\sonload=/);
    // The title's quote is set as a typographic one; what matters is that nothing is markup.
    expect(html).toContain('<title>”&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<meta name="description" content="” onload&#x3D;“alert(3)">');
  });

  it('exits 1 only for the briefs with errors: every other brief of the build is written', async () => {
    expect(shared.result.code).toBe(1);
    // This build holds the YAML, encoding and depth cases below too.
    expect(shared.result.stdout).toContain('Built 8 of 17 briefs');
    const written = (await readdir(join(shared.project.root, 'output'))).filter((name) => name.endsWith('.html') && name !== 'index.html');
    expect(written.sort()).toEqual(['bom.html', 'crlf.html', 'mixed.html', 't.html', 'xss-front-matter-ok.html', 'xss-markdown.html', 'xss-raw-html.html', 'yaml-tags.html']);
  });

  // Templates never evaluate content.
  it('prints {{…}} written in Markdown or front matter as text', async () => {
    // Built with the XSS briefs above, in one build.
    {
      expect(messagesOf(shared.result, 't.md')).toEqual([]);
      const html = await shared.project.read('output/t.html');
      expect(html).toContain('<title>{{constructor.constructor(‘return process’)()}}</title>');
      expect(html).toContain('<p class="subtitle">{{&gt; masthead}} {{{body}}}</p>');
      expect(html).toContain('<li>{{lookup this ‘constructor’}}</li>');
      expect(html).toContain('<p>Handlebars in the text: {{title}} {{{body}}} {{> end-matter}} {{#if true}}yes{{/if}}.</p>');
    }
  });
});

describe('front matter is YAML only', () => {
  // Engines, alias bombs and prototype keys are specified in front-matter.test.ts; these need the whole build.
  for (const name of ['yaml-engine-js.md', 'yaml-tags.md', 'yaml-wrong-types.md']) shared.files.set(name, hostile(name));

  it('refuses another front-matter engine without running it, in a real build', () => {
    expect(messagesOf(shared.result, 'yaml-engine-js.md')).toEqual(['1:1 error Front matter must be YAML between two "---" lines; "---js" asks for another format or engine, which brief does not run. (front-matter-engine)']);
    expect(existsSync('/tmp/brief-pwned')).toBe(false);
  });

  it('reads tagged values as plain text and says so', async () => {
    expect(messagesOf(shared.result, 'yaml-tags.md')).toEqual([
      '2:8 warning YAML tag "!!js/function" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
      '3:10 warning YAML tag "!!binary" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
      '4:7 warning YAML tag "!!timestamp" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
    ]);
    expect(await shared.project.read('output/yaml-tags.html')).toContain('<title>function () { return ‘pwned’ }</title>');
  });

  it('names each value of the wrong type, with its line and column', () => {
    expect(messagesOf(shared.result, 'yaml-wrong-types.md')).toEqual([
      '2:8 error Front-matter field "title" is a list; expected text. (front-matter-field)',
      '3:7 error Front-matter field "date" is "30 September 2009"; expected a date as YYYY-MM-DD or YYYY-MM, such as 2009-09-30. (front-matter-field)',
      '4:7 error Front-matter field "lang" is 42 (a number); expected text. (front-matter-field)',
      '5:11 error Front-matter field "keywords" is "Japan"; expected a list ("- item" lines). (front-matter-field)',
      '6:6 error Front-matter field "toc" is "maybe"; expected true or false. (front-matter-field)',
      '7:12 error Front-matter field "page_size" is "tabloid"; expected one of: letter, a4. (front-matter-field)',
      '9:5 error Front-matter field "facts[0].value" is missing; expected text. (front-matter-field)',
      '12:11 error Front-matter field "links[0].href" is "javascript:alert(1)"; expected an http(s), mailto or tel address, or a path relative to the brief. (front-matter-field)',
      '14:10 error Front-matter field "contact.email" is "not-an-address"; expected an e-mail address such as press@example.org. (front-matter-field)',
    ]);
    expect(shared.result.code).toBe(1);
  });
});

describe('the browser is sealed', () => {
  /** The host the hostile briefs point at: it must hear nothing. */
  let canary: Canary;
  /** The host allowed-remote.md fetches from (allow_remote): Node, at build time. */
  let allowed: Canary;
  let project: TempProject;
  let result: CliResult;
  beforeAll(async () => {
    canary = await startCanary();
    allowed = await startCanary();
    project = await createProject();
    for (const name of ['ssrf-images.md', 'ssrf-trusted.md']) await project.write(`source/${name}`, hostile(name, canary.port));
    await project.write('source/allowed-remote.md', hostile('allowed-remote.md', allowed.port));
    await symlink('/etc/passwd', join(project.root, 'source', 'evil-link.png'));
    result = await project.run(['build']);
  });
  afterAll(async () => {
    await canary.close();
    await allowed.close();
    await project.remove();
  });

  it('builds every brief, with warnings', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Built 3 of 3 briefs');
  });

  it('reaches nothing on the network: the loopback canary gets no request, not even a connection, and the allowed host only the images', () => {
    // A connection without a request is Chrome preconnecting to a frame's host (see CHROME_ARGS).
    expect({ requests: canary.requests, connections: canary.connections }).toEqual({ requests: [], connections: 0 });
    expect(allowed.requests.sort()).toEqual(['/allowed.png', '/page.html', '/redirect-out.png']);
  });

  it('does not fetch remote images, loopback, private or metadata addresses, and says where they were', () => {
    const port = canary.port;
    expect(messagesOf(result, 'ssrf-images.md')).toEqual([
      `5:42 warning Remote image "http://127.0.0.1:${port}/markdown-image.png" is not fetched: 127.0.0.1 is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml. The same for 1 more, on line 7. (remote-image)`,
      '8:1 warning Remote image "http://169.254.169.254/latest/meta-data/" is not fetched: 169.254.169.254 is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml. (remote-image)',
      `9:1 warning Remote image "http://[::1]:${port}/ipv6.png" is not fetched: [::1] is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml. (remote-image)`,
      '10:1 warning Remote image "http://10.0.0.1/private.png" is not fetched: 10.0.0.1 is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml. (remote-image)',
      `11:1 warning Source "ftp://127.0.0.1:${port}/ftp.png" removed from <img>: the ftp: scheme is not allowed. (unsafe-url)`,
      `12:1 warning Image "//127.0.0.1:${port}/protocol-relative.png" uses a scheme briefs do not load; use a file beside the brief. (unsafe-url)`,
      '13:1 warning Raw HTML <iframe> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote). (unsafe-html)',
      '14:1 warning Raw HTML <link> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote). (unsafe-html)',
      '15:1 warning Raw HTML <video> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote). (unsafe-html)',
      '17:1 warning Source "file:///etc/passwd" removed from <img>: the file: scheme is not allowed. (unsafe-url)',
      '19:1 warning Image "../../../../../../../../etc/passwd" is outside the brief\'s folder and templates/; it was not read. (outside-project)',
      '21:1 warning Image "/etc/passwd" is outside the brief\'s folder and templates/; it was not read. (outside-project)',
      '23:1 warning Image "evil-link.png" is outside the brief\'s folder and templates/; it was not read. (outside-project)',
    ]);
  });

  it('refuses, in Chrome, every request that trusted HTML makes, and reports each with its line', () => {
    const port = canary.port;
    expect(messagesOf(result, 'ssrf-trusted.md').filter((message) => message.includes('(blocked-request)'))).toEqual([
      `9:21 warning Blocked a request for http://127.0.0.1:${port}/trusted-import.css (stylesheet): briefs load nothing from outside. (blocked-request)`,
      `9:90 warning Blocked a request for http://127.0.0.1:${port}/trusted-background.png (image): briefs load nothing from outside. (blocked-request)`,
      `10:30 warning Blocked a request for http://127.0.0.1:${port}/trusted-stylesheet.css (stylesheet): briefs load nothing from outside. (blocked-request)`,
      `11:14 warning Blocked a request for http://127.0.0.1:${port}/trusted-iframe (document): briefs load nothing from outside. (blocked-request)`,
      `12:15 warning Blocked a request for http://127.0.0.1:${port}/trusted-object (document): briefs load nothing from outside. (blocked-request)`,
    ]);
  });

  it('runs no script even in trusted HTML (JavaScript is off in the page)', async () => {
    expect(await pdfText(join(project.root, 'output', 'ssrf-trusted.pdf'))).not.toContain('script ran');
  });

  it('leaks no local file into any output', async () => {
    const passwd = (await readFile('/etc/passwd', 'utf8')).split('\n')[0]!;
    for (const file of readdirSync(join(project.root, 'output'))) {
      const path = join(project.root, 'output', file);
      const text = file.endsWith('.pdf') ? await pdfText(path) : await readFile(path, 'utf8');
      expect(text, file).not.toContain(passwd);
    }
  });

  it('fetches an image from an allowed host once, at build time, and embeds it', async () => {
    const html = await project.read('output/allowed-remote.html');
    expect(html).toMatch(/<img src="data:image\/png;base64,iVBORw0KGgo[^"]*" alt="allowed">/);
    expect(messagesOf(result, 'allowed-remote.md')).toEqual([
      `10:51 warning Remote image "http://127.0.0.1:${allowed.port}/redirect-out.png" could not be used: it redirects to http://evil.example/stolen.png, outside allow_remote. (remote-image)`,
      `12:27 warning Remote image "http://127.0.0.1:${allowed.port}/page.html" could not be used: it is "text/html", not an image. (remote-image)`,
    ]);
  });
});

describe('limits', () => {
  const CASES: [string, string, string, string][] = [
    ['a file over max_bytes', 'limits:\n  max_bytes: 2048\n', `---\ntitle: Big\n---\n\n${'word '.repeat(1000)}\n`, '1:1 error The file is 4.9 KB, over the limit of 2.0 KB for one brief (limits.max_bytes). Split it, or raise the limit in brief.config.yaml. (limit-input-size)'],
    ['quotes nested 1,000 deep', '', `---\ntitle: Deep\n---\n\n${'>'.repeat(1000)} deep\n`, '5:49 error The text is nested more than 48 levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml. (limit-depth)'],
    ['HTML elements nested 5,000 deep', '', `---\ntitle: Deep\n---\n\n${'<div>'.repeat(5000)}x${'</div>'.repeat(5000)}\n`, '5:241 error The text is nested more than 48 levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml. (limit-depth)'],
    ['20,000 emphasis markers', '', `---\ntitle: Stars\n---\n\n${'*'.repeat(20000)}x${'*'.repeat(20000)}\n`, '5:1 error A run of 20000 "*" characters would nest emphasis more than 48 levels deep (limits.max_depth); escape them (\\*) or shorten the run. (limit-depth)'],
    ['a render-time limit', 'limits:\n  render_timeout_ms: 1\n', `---\ntitle: Slow\n---\n\n${'Text with *emphasis*, a [link](https://example.org/) and `code`. '.repeat(2000)}\n`, '1:1 error Rendering the Markdown took longer than 1 ms and was stopped (limits.render_timeout_ms). Look for very long runs of * _ [ or ` in the text. (limit-render-time)'],
    ['an image over max_image_bytes', 'limits:\n  max_image_bytes: 10\n', '---\ntitle: Image\n---\n\n![map](map.png)\n', '5:1 warning Image "map.png" is 93 B, over the limit of 10 B (limits.max_image_bytes). (limit-image-size)'],
  ];
  // Briefs that share a brief.config.yaml are built together, one build per config; those that
  // need none go into the shared build above. A warning exits 0, so the image's limit is built on
  // its own. The render-time limit's brief is long (130 KB, tens of milliseconds to render): the
  // tests share warm Markdown workers (shareMarkdownWorkers), which rendered a one-word brief
  // within the 1 ms limit now and then, so it had to be over max_bytes' 2 KB and on its own.
  for (const [index, [, config, text]] of CASES.entries()) if (!config) shared.files.set(`case-${index}.md`, text);
  const builds = new Map<string, Promise<{ project: TempProject; result: CliResult }>>();
  const buildFor = async (config: string) => {
    if (!config) return shared;
    if (!builds.has(config)) {
      builds.set(config, (async () => {
        const project = await createProject(config ? { 'brief.config.yaml': config } : {});
        await project.write('source/map.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
        for (const [index, [, caseConfig, text]] of CASES.entries()) if (caseConfig === config) await project.write(`source/case-${index}.md`, text);
        return { project, result: await project.run(['build', '--format', 'html']) };
      })());
    }
    return builds.get(config)!;
  };
  afterAll(async () => {
    for (const build of builds.values()) await (await build).project.remove();
  });

  it.each(CASES.map((entry, index) => [...entry, index] as const))('stops %s with an error that names the limit', async (_, config, _text, message, index) => {
    const { result } = await buildFor(config);
    expect(messagesOf(result, `case-${index}.md`)).toEqual([message]);
    expect(result.code).toBe(message.includes(' error ') ? 1 : 0);
  });
});

describe('encodings, in one real build (read.test.ts specifies the other reading rules)', () => {
  const body = '---\ntitle: Encodings\n---\n\nÉmigré café — 日本語.\n';
  const good: Record<string, Buffer> = {
    bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]),
    crlf: Buffer.from(body.replace(/\n/g, '\r\n')),
    mixed: Buffer.from('---\r\ntitle: Encodings\n---\r\n\nÉmigré café — 日本語.\r\n'),
  };
  const bad: Record<string, [Buffer, string]> = {
    utf16: [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('---\ntitle: x\n---\n', 'utf16le')]), '1:1 error The file is UTF-16 (it starts with a little-endian byte order mark). Save it as UTF-8. (invalid-utf8)'],
    png: [readFileSync(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')), '3:1 error The file contains a NUL byte at byte 8: it looks like a binary file, not Markdown text. (binary-file)'],
    blank: [Buffer.from('\n\n   \n'), '1:1 error The file has only blank lines: a brief needs some text, and a title (a first line "# Title", or front matter). (empty-file)'],
  };
  for (const [name, bytes] of Object.entries(good)) shared.files.set(`${name}.md`, bytes);
  for (const [name, [bytes]] of Object.entries(bad)) shared.files.set(`${name}.md`, bytes);

  it.each(Object.keys(good))('builds %s (UTF-8 with a byte order mark, CRLF or mixed line endings)', async (name) => {
    expect(messagesOf(shared.result, `${name}.md`)).toEqual([]);
    const html = await shared.project.read(`output/${name}.html`);
    expect(html).toContain('<title>Encodings</title>');
    expect(html).toContain('<p>Émigré café — <span lang="ja">日本語</span>.</p>');
    // The byte order mark is dropped, and no line end of the source's own is left in the text.
    expect(html).not.toContain('\uFEFF');
    expect(html).not.toContain('\r');
  });

  it.each(Object.keys(bad))('rejects %s with the file and the byte, and builds the others', (name) => {
    expect(messagesOf(shared.result, `${name}.md`)).toEqual([bad[name]![1]]);
    expect(shared.result.code).toBe(1);
  });
});


/** Processes whose environment carries `marker`: Chrome and its children inherit it from the build. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80)}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function waitUntilGone(marker: string, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = processesWith(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesWith(marker);
  }
  return left;
}

/** Starts `npm run build --force` in a child process in `cwd`, its processes marked so the test can find them and kill it. */
function startBuild(cwd: string, marker: string, env: NodeJS.ProcessEnv = {}) {
  // --force: every brief is built, so there is always something to interrupt.
  return startCli(['build', '--force'], cwd, { ...env, BRIEF_TEST_MARKER: marker });
}

function tempFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.brief-tmp')) : [];
}

describe('nothing lost, no orphans', () => {
  // Chrome's own start and end are what this part proves: each run launches and closes its own.
  chromePerRun();
  let project: TempProject;
  const names = ['one', 'two', 'three'];
  beforeAll(async () => {
    project = await createProject();
    // The old version of every output: the seed as the shared fixture built it (a whole handout and PDF).
    const built = await samples(inject('samples'));
    for (const name of names) {
      await project.write(`output/${name}.html`, await readFile(built.output('us-japan-relations.html')));
      await project.write(`output/${name}.pdf`, await readFile(built.output('us-japan-relations.pdf')));
    }
    // From here on every build writes a new version of every output: a short brief, quick to print
    // (a killed build is held at its point by a brief that hangs, not by long briefs; see startBuild).
    for (const name of names) await project.write(`source/${name}.md`, brief(`The text of brief ${name}.\n\nA new closing paragraph.\n`, { title: `Brief ${name}` }));
  });
  afterAll(() => project.remove());

  /** Every output is whole: the old version, or the new one, never a part of either. */
  async function assertOutputsWhole(): Promise<void> {
    for (const name of names) {
      const html = await project.read(`output/${name}.html`);
      expect(html.endsWith('</html>\n'), `${name}.html is whole`).toBe(true);
      const pdf = join(project.root, 'output', `${name}.pdf`);
      const check = await run('qpdf', ['--check', pdf]).then(() => true, () => false);
      expect(check, `${name}.pdf passes qpdf --check`).toBe(true);
    }
  }

  it.each([
    ['Chrome is up, before any output is written', /Chrome ready/],
    ['the first brief is written and the others are printing', /✓ source\//],
  ])('leaves whole outputs when the build is killed (kill -9) once %s, and no Chrome behind', async (_, stage) => {
    const marker = `kill-${stage.source.length}-${process.pid}`;
    // "one" hangs in its page: the build cannot end before the kill, however fast the others print.
    const build = startBuild(project.root, marker, { BRIEF_FAULTS: 'hang-always:one' });
    await build.waitFor(stage);
    build.child.kill('SIGKILL');
    const { signal } = await build.exited;
    // Where the kill landed: after that stage, before the build had finished.
    expect(signal).toBe('SIGKILL');
    expect(build.output()).toMatch(stage);
    expect(build.output()).not.toMatch(/^Built \d+ of/m);
    await assertOutputsWhole();
    // Chrome talks to brief over a pipe: it sees the pipe close and exits by itself.
    expect(await waitUntilGone(marker)).toEqual([]);
  });

  it('cleans up the temporary files a killed build left, on the next build', async () => {
    // The handouts alone: the next build sweeps the output folder's temporary files whatever it
    // prints, and no Chrome has to start for it.
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code).toBe(0);
    expect(tempFiles(join(project.root, 'output'))).toEqual([]);
    await assertOutputsWhole();
    expect(await project.read('output/one.html')).toContain('A new closing paragraph.');
  });

  it('leaves no Chrome behind after a build that fails', async () => {
    await project.write('source/broken.md', '---\ntitle: [broken\n---\n');
    const marker = `fail-${process.pid}`;
    // In this process, which lives on after the build: only the build itself can have closed its
    // Chrome (the marker is in Chrome's environment, not in this process's /proc environ). Only the
    // broken brief is built, and Chrome starts for it all the same (PDF is asked for).
    process.env.BRIEF_TEST_MARKER = marker;
    const result = await project.run(['build', 'source/broken.md']).finally(() => delete process.env.BRIEF_TEST_MARKER);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Building 1 of 1 brief → [\s\S]*Chrome ready/);
    expect(await waitUntilGone(marker, 3000)).toEqual([]);
    await rm(join(project.root, 'source', 'broken.md'));
  });

  // One run per signal proves both what faults.test.ts asked of a run ended with briefs in flight
  // (one brief hangs in Chrome, another is written) and that nothing is lost or left behind.
  it.each(['SIGINT', 'SIGTERM'] as const)('stops on %s: says "interrupted" for the briefs in flight, starts no Chrome again, closes Chrome, leaves no temporary file and whole outputs, exits 130', async (signal) => {
    const marker = `${signal}-${process.pid}`;
    const build = startBuild(project.root, marker, { BRIEF_FAULTS: 'hang-always:one' });
    // Once Chrome is up and a brief is written, so there is something to close, while "one" hangs in its page.
    await build.waitFor(/✓ source\/(two|three)\.md/);
    expect(build.output()).toMatch(/Chrome ready/);
    build.child.kill(signal);
    const { code } = await build.exited;
    const output = build.output();
    expect(output).toContain('stopping and closing Chrome');
    expect(code, output).toBe(130);
    expect(output).toMatch(new RegExp(`^source/one\\.md:1:1 error Interrupted by ${signal} before this brief was finished: its outputs were left as they were\\. \\(interrupted\\)$`, 'm'));
    expect(output).not.toContain('Chrome failed');
    expect(output).not.toContain('Internal error');
    expect(output.match(/Chrome ready/g)).toHaveLength(1);
    expect(output).not.toContain('starting a new one');
    expect(await waitUntilGone(marker, 3000)).toEqual([]);
    // Chrome's folder went with it: not even an empty profile is left.
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`brief-chrome-${build.child.pid}-`))).toEqual([]);
    expect(tempFiles(join(project.root, 'output'))).toEqual([]);
    await assertOutputsWhole();
  });
});
