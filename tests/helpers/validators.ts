import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { inject } from 'vitest';
import { CHROME_ARGS } from '../../scripts/pipeline/browser.ts';
import { resolveChrome } from '../../scripts/setup/chrome.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** One message of the Nu Html Checker's JSON report. */
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
 * the service global setup started for the run (startNuService, nu-service.ts) when there is one: its Java
 * virtual machine starts once per run, not once per test file; else by a `java -jar vnu.jar` of
 * its own.
 */
export async function nuHtmlCheck(files: string[]): Promise<string[]> {
  const service = nuService();
  if (service) return (await Promise.all(files.map((file) => nuServiceCheck(service, file)))).flat();
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  const { stdout, stderr } = await run('java', ['-jar', jar, '--format', 'json', '--exit-zero-always', '--stdout', ...files], { maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(stdout || stderr) as { messages: NuMessage[] };
  return report.messages.filter(reported).map((message) => formatNu(message, (message.url ?? '').replace(/^file:/, '')));
}

/** The service's address, when global setup started one for this run. */
function nuService(): string | undefined {
  try {
    return inject('vnu') || undefined;
  } catch {
    // Outside a test file (no provided context): each check starts its own checker.
    return undefined;
  }
}

/** One file, checked by the service as the command line checks a .html file: as text/html. */
async function nuServiceCheck(service: string, file: string): Promise<string[]> {
  const body = await readFile(file);
  const response = await untilListening(() => fetch(`${service}?out=json`, { method: 'POST', headers: { 'Content-Type': 'text/html; charset=utf-8' }, body }));
  if (!response.ok) throw new Error(`The Nu Html Checker service answered ${response.status} for ${file}.`);
  const report = (await response.json()) as { messages: NuMessage[] };
  return report.messages.filter(reported).map((message) => formatNu(message, file));
}

/**
 * Global setup starts the service without waiting for it: while its Java virtual machine starts,
 * a connection is refused; try again until it listens (two minutes at most, on a loaded machine).
 */
async function untilListening(request: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNREFUSED' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Errors, warnings and problems reading the document; not the informational notes. */
function reported(message: NuMessage): boolean {
  return message.type === 'error' || message.subType === 'warning' || message.type === 'non-document-error';
}

function formatNu(message: NuMessage, file: string): string {
  return `${file}:${message.lastLine ?? 0}:${message.firstColumn ?? 0} ${message.type}${message.subType ? `/${message.subType}` : ''} ${message.message}`;
}

let kept: Promise<Browser> | undefined;

/**
 * A Chromium for tests that need page script (axe-core), not the build's sealed pages: one for
 * the test process, launched on first use (a launch is about 1 s of CPU), each test opening and
 * closing pages of its own in it. It ends with the process (it talks over a pipe).
 */
export async function testBrowser(): Promise<Browser> {
  const browser = await kept?.catch(() => undefined);
  if (browser?.connected) return browser;
  kept = resolveChrome({ env: process.env, install: false }).then((chrome) => puppeteer.launch({ executablePath: chrome.executablePath, headless: true, args: CHROME_ARGS, pipe: true }));
  return kept;
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
