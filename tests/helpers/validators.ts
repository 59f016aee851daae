import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { inject } from 'vitest';
import { CHROME_ARGS } from '../../scripts/pipeline/browser.ts';
import { resolveChrome } from '../../scripts/setup/chrome.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of a Nu Html Checker service global setup started for the run (startNuHtmlService), if it did. */
    vnu?: string;
  }
}

interface NuMessage {
  type: string;
  subType?: string;
  url?: string;
  lastLine?: number;
  firstColumn?: number;
  message: string;
}

/**
 * The Nu Html Checker's errors and warnings for each file, as "file:line:col message". Checked by
 * the run's checker service when global setup started one (one JVM for the whole run), else by a
 * JVM of its own: the same checker and the same messages either way.
 */
export async function nuHtmlCheck(files: string[]): Promise<string[]> {
  const service = inject('vnu');
  const messages: NuMessage[] = [];
  if (service) {
    for (const file of files) {
      const response = await fetch(`${service}?out=json`, { method: 'POST', headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: await readFile(file) });
      if (!response.ok) throw new Error(`The Nu Html Checker service answered ${response.status} for ${file}`);
      // Named as the checker's command line names a file (file:/path), so both read the same.
      messages.push(...((await response.json()) as { messages: NuMessage[] }).messages.map((message) => ({ ...message, url: `file:${file}` })));
    }
  } else {
    const { stdout, stderr } = await run('java', ['-jar', VNU_JAR(), '--format', 'json', '--exit-zero-always', '--stdout', ...files], { maxBuffer: 64 * 1024 * 1024 });
    messages.push(...(JSON.parse(stdout || stderr) as { messages: NuMessage[] }).messages);
  }
  return messages
    .filter((message) => message.type === 'error' || message.subType === 'warning' || message.type === 'non-document-error')
    .map((message) => `${(message.url ?? '').replace(/^file:/, '')}:${message.lastLine ?? 0}:${message.firstColumn ?? 0} ${message.type}${message.subType ? `/${message.subType}` : ''} ${message.message}`);
}

const VNU_JAR = () => require.resolve('vnu-jar/build/dist/vnu.jar');

/**
 * Starts the Nu Html Checker as a local HTTP service, for global setup to share one JVM with every
 * test file (`project.provide('vnu', service.url)`): a JVM of its own costs each file seconds of CPU.
 */
export async function startNuHtmlService(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No free port'))));
    });
  });
  const child = spawn('java', ['-Dnu.validator.servlet.bind-address=127.0.0.1', '-cp', VNU_JAR(), 'nu.validator.servlet.Main', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    child.kill();
    await exited;
  };
  // It answers once it has loaded its schemas; give up if it exits first or takes minutes.
  for (const deadline = Date.now() + 300_000; ; ) {
    if (child.exitCode !== null) throw new Error(`The Nu Html Checker service exited (${child.exitCode}):\n${log}`);
    if (await fetch(url).then((response) => response.ok, () => false)) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The Nu Html Checker service did not start within 5 minutes:\n${log}`);
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
}

/** A Chromium for tests that need page script (axe-core): not the build's sealed pages. */
export async function launchTestBrowser(): Promise<Browser> {
  const chrome = await resolveChrome({ env: process.env, install: false });
  return puppeteer.launch({ executablePath: chrome.executablePath, headless: true, args: CHROME_ARGS });
}

/** axe-core's violations on an HTML file opened from disk, as "rule: help (n nodes)"; `width`: the window's width in CSS px. */
export async function axeViolations(browser: Browser, file: string, width?: number): Promise<string[]> {
  const page = await browser.newPage();
  try {
    if (width) await page.setViewport({ width, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return await axeViolationsOn(page);
  } finally {
    await page.close();
  }
}

/** axe-core's violations on a page already open (a test that loads the page for checks of its own too). */
export async function axeViolationsOn(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await readFile(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const results = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })`)) as {
    violations: { id: string; help: string; nodes: { target: string[] }[] }[];
  };
  return results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}
