import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { startCanary, type Canary } from './helpers/canary.ts';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';
import { pdfText } from './helpers/pdf.ts';

/**
 * The hostile corpus (tests/hostile/): each file attacks one guarantee of the Security section
 * of the README, and each test asserts the exact outcome — the message and exit code, or the
 * sanitized output and the absence of any request.
 */
const HOSTILE = join(TOOL_ROOT, 'tests', 'hostile');
const run = promisify(execFile);

async function hostile(name: string, port = 0): Promise<string> {
  return (await readFile(join(HOSTILE, name), 'utf8')).replaceAll('CANARY', String(port));
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

describe('no script runs and no active content reaches a handout', () => {
  let project: TempProject;
  let result: CliResult;
  beforeAll(async () => {
    project = await createProject();
    for (const name of ['xss-raw-html.md', 'xss-markdown.md', 'xss-front-matter.md']) await project.write(`source/${name}`, await hostile(name));
    await project.write('source/xss-front-matter-ok.md', (await hostile('xss-front-matter.md')).replace(/links:[\s\S]*?---/, '---'));
    await project.write('source/t.md', await hostile('template-injection.md'));
    result = await project.run(['build', '--format', 'html']);
  });
  afterAll(() => project.remove());

  it('removes scripts, frames, objects, forms, styles, base and meta refresh from raw HTML, and says so', async () => {
    const html = article(await project.read('output/xss-raw-html.html'));
    expect(html).not.toMatch(/<(script|iframe|object|embed|base|meta|form|button|style|link|svg|math|template|noscript|video|audio)\b/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(html).not.toContain('style=');
    expect(html).toContain('<a href="https://www.state.gov/">a safe link stays</a>');
    expect(html).toContain('Text after the attack, which must survive: <b>bold</b>, <abbr title="Democratic Party of Japan">DPJ</abbr>.');
    const messages = messagesOf(result, 'xss-raw-html.md');
    expect(messages).toContain('5:1 warning Raw HTML <script> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote). The same for 1 more, on line 6. (unsafe-html)');
    expect(messages).toContain('19:1 warning Attribute style="…" removed from <p>: a brief takes its look from the template. Size an image with ![alt](file.png){width=50%}. (unsafe-html)');
    expect(messages).toContain('7:1 warning Event handler onerror="…" removed from <img>: no script runs in a brief. (unsafe-html)');
    expect(messages).toContain("23:1 warning Link \"java\tscript:alert('tab')\" removed from <a>: the javascript: scheme is not allowed. (unsafe-url)");
    for (const tag of ['iframe', 'object', 'embed', 'base', 'meta', 'form', 'style', 'link']) expect(messages.join('\n')).toContain(`Raw HTML <${tag}> removed`);
  });

  it('drops javascript:, vbscript: and non-image data: URLs written in Markdown', async () => {
    const html = article(await project.read('output/xss-markdown.html'));
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data:text)/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(html).toContain('<p><a>js link</a>');
    expect(html).toContain('<aside class="callout callout-note" aria-label="Note"><p class="callout-title">Note</p>');
    expect(html).toContain('<code>&#x3C;script>alert(\'code\')&#x3C;/script></code>');
    expect(messagesOf(result, 'xss-markdown.md')).toEqual([
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
    expect(messagesOf(result, 'xss-front-matter.md')).toEqual([
      '8:11 error Front-matter field "links[0].href" is "javascript:alert(5)"; expected an http(s), mailto or tel address, or a path relative to the brief. (front-matter-field)',
      '10:10 error Front-matter field "contact.email" is "x@example.org\\"><script>alert(6)</script>"; expected an e-mail address such as press@example.org. (front-matter-field)',
      '11:8 error Front-matter field "contact.url" is "javascript:alert(7)"; expected an absolute http(s) URL such as https://example.org/briefs/. (front-matter-field)',
    ]);
    expect(existsSync(join(project.root, 'output', 'xss-front-matter.html'))).toBe(false);
    const html = await project.read('output/xss-front-matter-ok.html');
    expect(html).not.toMatch(/<script|<b>k|\sonload=/);
    // The title's quote is set as a typographic one; what matters is that nothing is markup.
    expect(html).toContain('<title>”&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<meta name="description" content="” onload&#x3D;“alert(3)">');
  });

  it('exits 1 only for the brief with errors', () => {
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Built 4 of 5 briefs');
  });

  // Templates never evaluate content.
  it('prints {{…}} written in Markdown or front matter as text', async () => {
    // Built with the XSS briefs above, in one build.
    {
      expect(messagesOf(result, 't.md')).toEqual([]);
      const html = await project.read('output/t.html');
      expect(html).toContain('<title>{{constructor.constructor(‘return process’)()}}</title>');
      expect(html).toContain('<p class="subtitle">{{&gt; masthead}} {{{body}}}</p>');
      expect(html).toContain('<li>{{lookup this ‘constructor’}}</li>');
      expect(html).toContain('<p>Handlebars in the text: {{title}} {{{body}}} {{> end-matter}} {{#if true}}yes{{/if}}.</p>');
    }
  });
});

describe('front matter is YAML only', () => {
  let project: TempProject;
  let result: CliResult;
  // Engines, alias bombs and prototype keys are specified in front-matter.test.ts; these need the whole build.
  const cases = ['yaml-engine-js.md', 'yaml-tags.md', 'yaml-wrong-types.md'];
  beforeAll(async () => {
    await rm('/tmp/brief-pwned', { force: true });
    project = await createProject();
    for (const name of cases) await project.write(`source/${name}`, await hostile(name));
    result = await project.run(['build', '--format', 'html']);
  });
  afterAll(() => project.remove());

  it('refuses another front-matter engine without running it, in a real build', () => {
    expect(messagesOf(result, 'yaml-engine-js.md')).toEqual(['1:1 error Front matter must be YAML between two "---" lines; "---js" asks for another format or engine, which brief does not run. (front-matter-engine)']);
    expect(existsSync('/tmp/brief-pwned')).toBe(false);
  });

  it('reads tagged values as plain text and says so', async () => {
    expect(messagesOf(result, 'yaml-tags.md')).toEqual([
      '2:8 warning YAML tag "!!js/function" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
      '3:10 warning YAML tag "!!binary" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
      '4:7 warning YAML tag "!!timestamp" is ignored: brief reads plain values only, so this one is read as text. (front-matter-yaml)',
    ]);
    expect(await project.read('output/yaml-tags.html')).toContain('<title>function () { return ‘pwned’ }</title>');
  });

  it('names each value of the wrong type, with its line and column', () => {
    expect(messagesOf(result, 'yaml-wrong-types.md')).toEqual([
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
    expect(result.code).toBe(1);
  });
});

describe('the browser is sealed', () => {
  let canary: Canary;
  let project: TempProject;
  let result: CliResult;
  beforeAll(async () => {
    canary = await startCanary();
    project = await createProject();
    for (const name of ['ssrf-images.md', 'ssrf-trusted.md', 'allowed-remote.md']) await project.write(`source/${name}`, await hostile(name, canary.port));
    await symlink('/etc/passwd', join(project.root, 'source', 'evil-link.png'));
    result = await project.run(['build']);
  });
  afterAll(async () => {
    await canary.close();
    await project.remove();
  });

  it('builds every brief, with warnings', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Built 3 of 3 briefs');
  });

  it('makes no request to the network: the loopback canary hears only the allowed host', () => {
    expect(canary.requests.sort()).toEqual(['/allowed.png', '/page.html', '/redirect-out.png']);
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
      `10:51 warning Remote image "http://127.0.0.1:${canary.port}/redirect-out.png" could not be used: it redirects to http://evil.example/stolen.png, outside allow_remote. (remote-image)`,
      `12:27 warning Remote image "http://127.0.0.1:${canary.port}/page.html" could not be used: it is "text/html", not an image. (remote-image)`,
    ]);
  });
});

describe('limits', () => {
  const CASES: [string, string, string, string][] = [
    ['a file over max_bytes', 'limits:\n  max_bytes: 2048\n', `---\ntitle: Big\n---\n\n${'word '.repeat(1000)}\n`, '1:1 error The file is 4.9 KB, over the limit of 2.0 KB for one brief (limits.max_bytes). Split it, or raise the limit in brief.config.yaml. (limit-input-size)'],
    ['quotes nested 1,000 deep', '', `---\ntitle: Deep\n---\n\n${'>'.repeat(1000)} deep\n`, '5:49 error The text is nested more than 48 levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml. (limit-depth)'],
    ['HTML elements nested 5,000 deep', '', `---\ntitle: Deep\n---\n\n${'<div>'.repeat(5000)}x${'</div>'.repeat(5000)}\n`, '5:241 error The text is nested more than 48 levels deep (lists, quotes, emphasis or HTML elements inside each other); brief stops at limits.max_depth. Flatten it, or raise the limit in brief.config.yaml. (limit-depth)'],
    ['20,000 emphasis markers', '', `---\ntitle: Stars\n---\n\n${'*'.repeat(20000)}x${'*'.repeat(20000)}\n`, '5:1 error A run of 20000 "*" characters would nest emphasis more than 48 levels deep (limits.max_depth); escape them (\\*) or shorten the run. (limit-depth)'],
    ['a render-time limit', 'limits:\n  render_timeout_ms: 1\n', '---\ntitle: Slow\n---\n\nText.\n', '1:1 error Rendering the Markdown took longer than 1 ms and was stopped (limits.render_timeout_ms). Look for very long runs of * _ [ or ` in the text. (limit-render-time)'],
    ['an image over max_image_bytes', 'limits:\n  max_image_bytes: 10\n', '---\ntitle: Image\n---\n\n![map](map.png)\n', '5:1 warning Image "map.png" is 93 B, over the limit of 10 B (limits.max_image_bytes). (limit-image-size)'],
  ];
  // Briefs that share a brief.config.yaml are built together, one build per config.
  const builds = new Map<string, Promise<{ project: TempProject; result: CliResult }>>();
  const buildFor = (config: string) => {
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

describe('encodings, in one real build (read.test.ts specifies each reading rule)', () => {
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
  let project: TempProject;
  let result: CliResult;
  beforeAll(async () => {
    project = await createProject();
    for (const [name, bytes] of Object.entries(good)) await project.write(`source/${name}.md`, bytes);
    for (const [name, [bytes]] of Object.entries(bad)) await project.write(`source/${name}.md`, bytes);
    result = await project.run(['build', '--format', 'html']);
  });
  afterAll(() => project.remove());

  it.each(Object.keys(good))('builds %s (UTF-8 with a byte order mark, CRLF or mixed line endings)', async (name) => {
    expect(messagesOf(result, `${name}.md`)).toEqual([]);
    const html = await project.read(`output/${name}.html`);
    expect(html).toContain('<title>Encodings</title>');
    expect(html).toContain('<p>Émigré café — <span lang="ja">日本語</span>.</p>');
  });

  it.each(Object.keys(bad))('rejects %s with the file and the byte, and builds the others', (name) => {
    expect(messagesOf(result, `${name}.md`)).toEqual([bad[name]![1]]);
    expect(result.code).toBe(1);
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

/** Starts `npm run build`'s code in a child process, in `cwd`, and lets the test kill it. */
function startBuild(cwd: string, marker: string) {
  // --force: every brief is built, so there is always something to interrupt.
  const child = spawn(process.execPath, [join(TOOL_ROOT, 'scripts', 'bootstrap.mjs'), 'build', '--force'], { cwd, env: { ...process.env, BRIEF_TEST_MARKER: marker }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  /** Resolves as soon as the build has printed `pattern` (an event, not a guess at timing); rejects if it ends first. */
  const reached = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const look = () => {
        if (pattern.test(output)) resolve();
      };
      look();
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      void exited.then(() => (pattern.test(output) ? resolve() : reject(new Error(`The build ended before printing ${pattern}:\n${output}`))));
    });
  return { child, exited, output: () => output, reached };
}

function tempFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.brief-tmp')) : [];
}

describe('nothing lost, no orphans', () => {
  let project: TempProject;
  const names = ['one', 'two', 'three'];
  beforeAll(async () => {
    project = await createProject();
    const seed = await readFile(join(TOOL_ROOT, 'source', 'us-japan-relations.md'), 'utf8');
    for (const name of names) await project.write(`source/${name}.md`, seed.replace('title: U.S.-Japan Relations', `title: Brief ${name}`));
    const first = await project.run(['build']);
    expect(first.code, first.stderr).toBe(0);
    // From here on every build writes a new version of every output.
    for (const name of names) await project.write(`source/${name}.md`, `${seed.replace('title: U.S.-Japan Relations', `title: Brief ${name}`)}\nA new closing paragraph.\n`);
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
    const build = startBuild(project.root, marker);
    await build.reached(stage);
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
    const result = await project.run(['build']);
    expect(result.code).toBe(0);
    expect(tempFiles(join(project.root, 'output'))).toEqual([]);
    await assertOutputsWhole();
    expect(await project.read('output/one.html')).toContain('A new closing paragraph.');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops on %s: Chrome closed, no temporary file, outputs whole, exit 130', async (signal) => {
    const marker = `${signal}-${process.pid}`;
    const build = startBuild(project.root, marker);
    // Once Chrome is up, so there is something to close.
    await build.reached(/Chrome ready/);
    build.child.kill(signal);
    const { code } = await build.exited;
    expect(build.output()).toContain('stopping and closing Chrome');
    expect(code).toBe(130);
    expect(await waitUntilGone(marker, 3000)).toEqual([]);
    expect(tempFiles(join(project.root, 'output'))).toEqual([]);
    await assertOutputsWhole();
  });

  it('leaves no Chrome behind after a build that fails', async () => {
    await project.write('source/broken.md', '---\ntitle: [broken\n---\n');
    const marker = `fail-${process.pid}`;
    const build = startBuild(project.root, marker);
    const { code } = await build.exited;
    expect(code).toBe(1);
    expect(await waitUntilGone(marker, 3000)).toEqual([]);
    await rm(join(project.root, 'source', 'broken.md'));
  });
});
