import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page, Protocol } from 'puppeteer';
import { isRunning } from './processes.ts';

/** Flags for headless Chromium in CI containers and on closed networks (see README, "Chrome"). */
export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
  '--mute-audio',
  // Printing needs no GPU, not even a software one: about 40 MB less per Chrome.
  '--disable-software-rasterizer',
  // Even so Chrome starts a GPU process (for its display compositor); on a loaded machine it gets
  // killed, and after a few restarts Chrome ends itself ("GPU process isn't usable. Goodbye.").
  // In the browser process there is no GPU process to lose. Measured with the GPU process killed
  // every 400 ms, as a loaded machine's watchdog does: a 20-brief batch lost Chrome 12 times and
  // 14 briefs without this flag, none with it; the PDFs are byte-identical (README, "Chrome").
  '--in-process-gpu',
  // Headless Chromium 156 preloads the omnibox popup's WebUI in a renderer of its own (~70 MB);
  // there is no omnibox to pop up. Nor does it need a spare renderer kept warm for the next
  // navigation (pages are reused, and opened only as jobs need them): one process less.
  // (puppeteer merges these lists with its own.)
  '--disable-features=AiModeOmniboxEntryPoint,WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
  // The network service in the browser process rather than a utility process of its own: pages
  // fetch nothing from the network (every request is answered from memory or refused). Measured
  // with npm run bench -- batch: 100 briefs in a peak of ~100 MB less, the same CPU time.
  '--enable-features=NetworkServiceInProcess2',
  // No host name or address resolves, IP literals included: Chrome can open no connection at all.
  // Every request is intercepted and refused, but Chrome preconnects to a frame's or object's host
  // as the navigation starts, before the request reaches interception: trusted HTML
  // (unsafe_html) with <iframe src="http://host/"> opened a TCP connection to that host (and a DNS
  // lookup for a name) with no request ever made. Documents come from interception, not the network.
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** Longest time one operation may take unless brief.config.yaml says otherwise (limits.render_timeout_ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How long Chrome may take to close before it is killed. */
const CLOSE_GRACE_MS = 3000;

/**
 * Documents are served from a made-up origin per page (nothing is fetched from it): a different
 * site for each page, so that Chrome gives each page a renderer process of its own. Pages then
 * lay out in parallel, and a crash takes down one page, not all of them.
 */
export const DOCUMENT_ORIGINS = /^https:\/\/brief-\d+\.invalid\//;

export interface BrowserOptions {
  executablePath: string;
  /** Pages open at most at once (each has a renderer process); more print jobs wait their turn. */
  maxPages: number;
  /** Longest time one operation (load, print) may take before it is abandoned. */
  timeoutMs: number;
  /** Aborting closes Chrome. */
  signal?: AbortSignal;
  /**
   * Where each Chrome gets a folder of its own (profile and temporary files), named after the
   * process that launched it, so that the next run finds and removes those of dead runs. Default:
   * the system's temporary folder (it must be a short path: Chrome puts a socket in it).
   */
  workDir?: string;
}

/** A request the sealed page refused: reported to the user as a warning. */
export interface BlockedRequest {
  url: string;
  resourceType: string;
}

/** What one print job lends a page for. */
export interface SealedJob {
  /** The page's own origin, "https://brief-3.invalid/": documents are addressed under it. */
  origin: string;
  /**
   * Serves `html` at `url` (under `origin`) and waits for it and its fonts to load. `fonts` is
   * the @font-face CSS inside it: when the page already has exactly these fonts, the rest of the
   * document is swapped in place and the fonts stay loaded.
   */
  load(url: string, html: string, fonts: string): Promise<void>;
  /**
   * Prints the loaded page to a tagged PDF with an outline, at the size its CSS @page asks for.
   * Fails at once if the page crashes meanwhile.
   */
  print(): Promise<Uint8Array>;
  /** Puppeteer's page, for printing and measuring. */
  page: Page;
  /** Requests refused so far in this job. */
  blocked: BlockedRequest[];
  /** Errors the page reported (there should be none: page script is off, or only withPage's `script` runs). */
  pageErrors: string[];
}

interface PageSlot {
  page: Page;
  /** A DevTools session on the page, for printing. */
  session: CDPSession;
  origin: string;
  job: { url: string; html: string; blocked: BlockedRequest[]; pageErrors: string[]; crash: (error: Error) => void } | undefined;
  /** The @font-face CSS of the document the page shows, to keep its fonts loaded. */
  fonts: string | undefined;
  /** Print jobs the page has served. */
  served: number;
  /**
   * The script the page runs (withPage's `script`): page script is on, the script has run once,
   * and documents are written into the page (document.open keeps the window and the script's
   * globals) rather than navigated to. Undefined: page script off, documents navigated to.
   */
  script: string | undefined;
}

/**
 * Print jobs a page serves before it is closed and a fresh one (a fresh renderer process) takes
 * its place. A renderer that swaps document after document in place keeps growing (~130 MB to
 * ~200 MB for two pages over 100 briefs, npm run bench -- batch); a new one costs about one
 * navigation and one font decode.
 */
const JOBS_PER_PAGE = 25;

/**
 * Print jobs between two garbage collections of a kept page's renderer. Left alone, it collects
 * the documents it swapped out only under memory pressure, which a batch never reaches: measured
 * with 100 seed-size briefs at --jobs 3, renderers of ~100-125 MB and a peak of ~595-670 MB for
 * the whole tree, against ~65-70 MB and ~555-580 MB with a collection every 5 jobs (~15-35 ms of
 * the renderer's time each, done after the job has returned), in the same CPU time.
 */
const JOBS_PER_COLLECTION = 5;

/** Pages a Chrome kept for the process (shareChrome) keeps open between its borrowers. */
const PAGES_KEPT = 4;

/**
 * Owns one Chrome: launched once, lending sealed pages (JavaScript off, every request answered
 * from memory or refused) to print jobs, reusing them, and closed on dispose, failure or abort.
 */
export class BrowserPool {
  private readonly idle: PageSlot[] = [];
  /** Jobs waiting for a page, first come first served. */
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly browser: Browser,
    private readonly options: BrowserOptions,
    /** Chrome's own folder (profile and TMPDIR), removed with it. */
    private readonly runDir: string,
    /** The pool of the Chrome kept for the process (shareChrome) this one borrows: it gets its pages back, not Chrome closed. */
    private readonly lender?: BrowserPool,
  ) {}

  /**
   * Starts Chrome, or, in a process that shares one (shareChrome), lends it: pages of their own
   * on the Chrome kept for this executable and timeout. Pass the returned pool's `close()` to a `finally`.
   */
  static async launch(options: BrowserOptions): Promise<BrowserPool> {
    if (!lending || options.workDir) return BrowserPool.start(options);
    const key = `${options.executablePath}\0${options.timeoutMs}`;
    let owner = await shared.get(key)?.catch(() => undefined);
    if (!owner?.connected) {
      const starting = BrowserPool.start({ ...options, signal: undefined, maxPages: Number.MAX_SAFE_INTEGER });
      shared.set(key, starting);
      owner = await starting;
    }
    const pool = new BrowserPool(owner.browser, { ...options }, owner.runDir, owner);
    options.signal?.addEventListener('abort', () => void pool.close(), { once: true });
    return pool;
  }

  private static async start(options: BrowserOptions): Promise<BrowserPool> {
    const { default: puppeteer } = await import('puppeteer');
    // Chrome's profile and its shared memory files (TMPDIR, with --disable-dev-shm-usage) go in a
    // folder of its own, named after this process, where the next run removes it if this one is
    // killed (kill -9) before it can (puppeteer's own profile folder would stay forever). Chrome
    // makes a Unix socket inside TMPDIR, whose path may not exceed 107 bytes: keep it short.
    const workDir = options.workDir ?? tmpdir();
    await removeDeadRunFolders(workDir);
    await mkdir(workDir, { recursive: true });
    const runDir = await mkdtemp(join(workDir, `${RUN_PREFIX}${process.pid}-`));
    liveRunFolders.add(runDir);
    const tempDir = runDir;
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: options.executablePath,
        headless: true,
        args: CHROME_ARGS,
        userDataDir: join(runDir, 'profile'),
        env: { ...process.env, TMPDIR: tempDir },
        // Talk to Chrome over a pipe, not a socket: if this process dies without closing it (kill -9),
        // Chrome sees the pipe close and exits too, instead of living on as an orphan.
        pipe: true,
        timeout: options.timeoutMs,
        protocolTimeout: options.timeoutMs,
        // No Network domain: puppeteer's own tracking of requests (page.on('request')) sends every
        // event of every request over the pipe, data: URLs whole (a handout's fonts, again and
        // again). Pages are sealed with the Fetch domain instead (setUpPage, answer). Measured on a
        // 183 KB handout: 79-81 ms of Chrome's browser-process CPU a navigation, 61-63 ms without.
        networkEnabled: false,
        // Chrome must not outlive us: brief closes it itself, on every path.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        signal: options.signal,
      });
    } catch (error) {
      await removeRunFolder(runDir);
      throw error;
    }
    const pool = new BrowserPool(browser, options, runDir);
    // Chrome outlives a killed launcher by a moment (it exits when it sees the pipe close, writing
    // its profile as it goes): the folder is not dead until Chrome is gone too.
    if (pool.pid) await writeFile(join(runDir, CHROME_PID_FILE), String(pool.pid));
    // Chrome opens one tab as it starts: the first print uses it rather than waiting for a new one.
    const [first] = await browser.pages();
    if (first) pool.idle.push(await pool.setUpPage(first));
    options.signal?.addEventListener('abort', () => void pool.close(), { once: true });
    return pool;
  }

  /**
   * Takes a run's limits, for a Chrome started before they were known (prelaunch.ts): true if it
   * can serve them; false if it was launched with another timeout (it then has to be replaced).
   */
  fits(limits: { maxPages: number; timeoutMs: number }): boolean {
    if (limits.timeoutMs !== this.options.timeoutMs) return false;
    this.options.maxPages = limits.maxPages;
    return true;
  }

  /** False once Chrome has closed or crashed. */
  get connected(): boolean {
    return !this.closed && this.browser.connected;
  }

  /** The process id of Chrome, for tests that prove it is gone. */
  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  /**
   * Lends a sealed page to `work` and takes it back afterwards; a page whose job failed is
   * closed rather than reused, so one bad brief cannot poison the next. With `script` (axe-core
   * for npm run check), the page has page script on and has run that script once; every request
   * is still answered from memory or refused.
   */
  async withPage<T>(work: (job: SealedJob) => Promise<T>, options: { script?: string } = {}): Promise<T> {
    while (this.busy >= this.options.maxPages) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy++;
    let slot: PageSlot;
    try {
      slot = this.takeIdle(options.script) ?? (await this.openPage());
    } catch (error) {
      this.release();
      throw error;
    }
    // A crashed renderer leaves puppeteer's calls waiting for their timeouts: fail them at once.
    let crash: (error: Error) => void = () => {};
    const crashed = new Promise<never>((_, reject) => (crash = reject));
    crashed.catch(() => {});
    const guard = <T>(operation: Promise<T>): Promise<T> => Promise.race([operation, crashed]);
    const job = { url: '', html: '', blocked: [] as BlockedRequest[], pageErrors: [] as string[], crash };
    slot.job = job;
    let healthy = false;
    try {
      if (slot.script !== options.script) await guard(this.runScript(slot, options.script));
      const result = await work({
        page: slot.page,
        origin: slot.origin,
        blocked: job.blocked,
        pageErrors: job.pageErrors,
        print: () => guard(printToPdf(slot)),
        load: (url, html, fonts) => guard(this.loadDocument(slot, url, html, fonts)),
      });
      healthy = true;
      return result;
    } finally {
      slot.job = undefined;
      slot.served++;
      if (!(healthy && this.connected && slot.served < JOBS_PER_PAGE)) {
        await slot.page.close().catch(() => {});
        this.release();
      } else if (slot.served % JOBS_PER_COLLECTION === 0) {
        // The job has its result: the page comes back (and its turn is given up) once collected.
        void slot.session
          .send('HeapProfiler.collectGarbage')
          .catch(() => {})
          .then(() => this.giveBack(slot));
      } else this.giveBack(slot);
    }
  }

  /**
   * An idle page that runs the same script as the job asks (or none). Failing that, a new page
   * while fewer than twice maxPages are open, so that prints and audits (npm run check) each keep
   * pages of their own: a print page keeps its fonts for the next print's in-place swap, an audit
   * page its script. Measured on check.test.ts's 22 briefs at --jobs 3: taking the other kind's
   * idle page whenever none of the job's kind was idle turned pages over 25 times (18.7-23.2 s of
   * CPU, no better than one kind of page for both); opening a new page instead, 2 times (13.0-14.2 s).
   */
  private takeIdle(script: string | undefined): PageSlot | undefined {
    const alike = this.idle.findLastIndex((slot) => slot.script === script);
    if (alike !== -1) return this.idle.splice(alike, 1)[0];
    if (this.idle.length + this.busy > 2 * this.options.maxPages) return this.idle.shift();
    return undefined;
  }

  /**
   * Makes a page run `script` (page script on, a blank document of the page's origin, the script
   * run in it) or, with none, no script at all (page script off; the next document is navigated
   * to, which drops the old window and everything the script left in it).
   */
  private async runScript(slot: PageSlot, script: string | undefined): Promise<void> {
    slot.script = undefined;
    slot.fonts = undefined;
    await slot.page.setJavaScriptEnabled(script !== undefined);
    if (script === undefined) return;
    const job = slot.job!;
    job.url = `${slot.origin}blank`;
    job.html = '<!DOCTYPE html><title></title>';
    await slot.page.goto(job.url, { waitUntil: 'load', timeout: this.options.timeoutMs });
    await slot.page.evaluate(script);
    slot.script = script;
  }

  /** A healthy page, back for the next job, or closed if the pool closed meanwhile. */
  private giveBack(slot: PageSlot): void {
    if (this.closed) void slot.page.close().catch(() => {});
    else this.idle.push(slot);
    this.release();
  }

  private release(): void {
    this.busy--;
    this.waiting.shift()?.();
  }

  /**
   * Serves a document in a page. When the page already shows a document with the same fonts
   * (the same brief again in watch mode, a second print for the contents, the next brief of a
   * batch), everything but the fonts is swapped in place and the address changed with
   * history.replaceState (so relative links resolve as for a fresh load, and #links stay inside
   * the document): no navigation, and no font to decode again. Otherwise the page navigates.
   */
  private async loadDocument(slot: PageSlot, url: string, html: string, fonts: string): Promise<void> {
    const job = slot.job!;
    job.url = url;
    job.html = html;
    const parts = slot.script === undefined && fonts && slot.fonts === fonts && new URL(slot.page.url()).origin === new URL(url).origin ? splitDocument(html, fonts) : undefined;
    if (slot.script !== undefined) {
      await slot.page.evaluate(writeDocument, { url, html });
      await imagesLoaded(slot.page, this.options.timeoutMs);
    } else if (parts) {
      await slot.page.evaluate(swapDocument, { url, ...parts });
      await imagesLoaded(slot.page, this.options.timeoutMs);
    } else {
      await slot.page.goto(url, { waitUntil: 'load', timeout: this.options.timeoutMs });
      slot.fonts = fonts;
    }
    await loadAllFonts(slot.page, this.options.timeoutMs);
  }

  /**
   * Ends Chrome and every process it started: a graceful close first (Chrome then ends its own
   * child processes), and if that has not finished within a few seconds, a SIGKILL to Chrome's
   * whole process group. Safe to call more than once. Debian's Chromium 156 still leaves its two
   * zygotes and two crashpad handlers to init for a moment after each close (they end after the
   * browser process, and the crashpad handlers were init's from the start): init reaps them
   * (this sandbox's init took a few seconds; a group SIGKILL instead left them the same way).
   */
  close(): Promise<void> {
    // Every caller (the abort listener, the build's finally) waits for the same, whole close.
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    if (this.lender) {
      // The Chrome stays for the next run of the process, and so do healthy pages, a few of them:
      // a page opened afresh (a new renderer, its fonts decoded again) costs about 0.2 s of CPU.
      const lender = this.lender;
      const pages = this.idle.splice(0);
      const kept = lender.connected ? pages.filter((slot) => slot.served < JOBS_PER_PAGE && !slot.page.isClosed()).slice(0, Math.max(0, PAGES_KEPT - lender.idle.length)) : [];
      lender.idle.push(...kept);
      await Promise.all(pages.filter((slot) => !kept.includes(slot)).map((slot) => slot.page.close().catch(() => {})));
      return;
    }
    this.idle.length = 0;
    const chrome = this.browser.process();
    const running = () => chrome !== null && chrome.exitCode === null && chrome.signalCode === null;
    const exited = chrome && running() ? new Promise<void>((resolve) => chrome.once('exit', () => resolve())) : Promise.resolve();
    const graceful = this.browser.close().catch(() => {});
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS).unref());
    if ((await Promise.race([graceful.then(() => exited), timer])) === 'timeout' && chrome?.pid && running()) {
      try {
        // puppeteer starts Chrome detached, as the leader of its own process group.
        process.kill(-chrome.pid, 'SIGKILL');
      } catch {
        chrome.kill('SIGKILL');
      }
      await exited;
    }
    // Whatever Chrome left in its process group (after a crash, its helpers may linger a moment).
    if (chrome?.pid) {
      try {
        process.kill(-chrome.pid, 'SIGKILL');
      } catch {
        // No such group: all gone already.
      }
    }
    await removeRunFolder(this.runDir);
  }

  private async openPage(): Promise<PageSlot> {
    // A borrower first takes a page an earlier borrower gave back.
    for (let slot = this.lender?.idle.pop(); slot; slot = this.lender?.idle.pop()) {
      if (!slot.page.isClosed()) {
        slot.page.setDefaultTimeout(this.options.timeoutMs);
        return slot;
      }
    }
    return this.setUpPage(await this.browser.newPage());
  }

  private async setUpPage(page: Page): Promise<PageSlot> {
    const session = await page.createCDPSession();
    const slot: PageSlot = { page, session, origin: `https://brief-${++openedPages}.invalid/`, job: undefined, fonts: undefined, served: 0, script: undefined };
    page.setDefaultTimeout(this.options.timeoutMs);
    await page.setJavaScriptEnabled(false);
    // Every request the page makes waits for answer(), whatever its kind.
    session.on('Fetch.requestPaused', (event) => void answer(event, slot));
    await session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
    page.on('pageerror', (error) => slot.job?.pageErrors.push(error instanceof Error ? error.message : String(error)));
    page.on('error', (error) => slot.job?.crash(error));
    return slot;
  }
}

/** Pages opened by this process, numbering their origins (one site, so one renderer, per page). */
let openedPages = 0;

/** Chromes kept for the process once shareChrome was on, by executable and timeout; they end with the process. */
const shared = new Map<string, Promise<BrowserPool>>();
/** Whether runs borrow the kept Chromes (shareChrome). */
let lending = false;

/**
 * For a process that runs many builds one after another (the test suite runs the CLI in its own
 * process hundreds of times): each run that needs Chrome borrows one kept for the process, with
 * pages of its own that it closes when done, instead of launching one (a launch is about 1 s of
 * CPU, Chrome's processes counted). `shareChrome(false)` has each run launch and close a Chrome of
 * its own again, as a command does, for what proves Chrome's own start and end; the kept Chromes
 * stay open meanwhile, idle, for when lending resumes (cheaper than launching them again).
 */
export function shareChrome(on: boolean): void {
  lending = on;
}

/** Run folders are named `brief-chrome-<pid of the process that launched Chrome>-<random>`. */
const RUN_PREFIX = 'brief-chrome-';
/** Inside a run folder: Chrome's own process id. */
const CHROME_PID_FILE = 'chrome.pid';

/** Run folders of Chromes this process launched and has not yet removed: removed on exit at the latest. */
const liveRunFolders = new Set<string>();
process.on('exit', () => {
  for (const dir of liveRunFolders) rmSync(dir, { recursive: true, force: true });
});

async function removeRunFolder(dir: string): Promise<void> {
  // Chrome's helpers may still be writing while they exit: a few tries.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  liveRunFolders.delete(dir);
}

/**
 * Removes the folders of Chromes whose launching process no longer runs (killed with kill -9, or
 * the machine lost power). Those of runs still going are left alone.
 */
export async function removeDeadRunFolders(workDir = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(workDir).catch(() => [] as string[])) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const owner = Number(/^(\d+)-/.exec(name.slice(RUN_PREFIX.length))?.[1]);
    if (!owner || isRunning(owner)) continue;
    const chrome = Number(await readFile(join(workDir, name, CHROME_PID_FILE), 'utf8').catch(() => ''));
    if (chrome && isRunning(chrome)) continue;
    // A folder that cannot be removed now (another run is at it) is left for the next run.
    await rm(join(workDir, name), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

/** The only answers a sealed page gets: its own document, data: URLs, and refusals. */
async function answer(event: Protocol.Fetch.RequestPausedEvent, slot: PageSlot): Promise<void> {
  const { requestId, resourceType } = event;
  const url = event.request.url;
  const job = slot.job;
  try {
    if (job && url === job.url && resourceType === 'Document') {
      const body = Buffer.from(job.html).toString('base64');
      await slot.session.send('Fetch.fulfillRequest', { requestId, responseCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }], body });
      return;
    }
    if (url.startsWith('data:')) {
      await slot.session.send('Fetch.continueRequest', { requestId });
      return;
    }
    // Chrome asks for a favicon on its own; that is not the brief's doing.
    if (!url.endsWith('/favicon.ico')) job?.blocked.push({ url, resourceType: resourceType.toLowerCase() });
    await slot.session.send('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' });
  } catch {
    // The page closed while the request was pending: nothing left to answer.
  }
}

/**
 * Prints with DevTools' Page.printToPDF directly, the PDF returned in one message: puppeteer's
 * page.pdf() asks for a stream and reads it back in chunks, a round trip each (~8 ms a brief).
 * Margins are zero as in page.pdf(): the @page rules set them.
 */
async function printToPdf(slot: PageSlot): Promise<Uint8Array> {
  const { data } = await slot.session.send('Page.printToPDF', {
    preferCSSPageSize: true,
    printBackground: true,
    generateTaggedPDF: true,
    generateDocumentOutline: true,
    marginTop: 0,
    marginBottom: 0,
    marginLeft: 0,
    marginRight: 0,
    transferMode: 'ReturnAsBase64',
  });
  return Buffer.from(data, 'base64');
}

/** A document cut into what swapDocument needs; undefined if it does not have the expected shape. */
function splitDocument(html: string, fonts: string): { lang: string; head: string; body: string } | undefined {
  const lang = /<html[^>]*\slang="([^"]*)"/.exec(html.slice(0, 500))?.[1] ?? '';
  const headStart = html.indexOf('<head>');
  const headEnd = html.indexOf('</head>');
  const bodyStart = html.indexOf('<body', headEnd);
  const bodyEnd = html.lastIndexOf('</body>');
  if (headStart === -1 || headEnd === -1 || bodyStart === -1 || bodyEnd === -1) return undefined;
  const head = html.slice(headStart + '<head>'.length, headEnd);
  const fontsStyle = `<style>${fonts}</style>`;
  const at = head.indexOf(fontsStyle);
  if (at === -1) return undefined;
  return { lang, head: head.slice(0, at) + head.slice(at + fontsStyle.length), body: html.slice(bodyStart, bodyEnd + '</body>'.length) };
}

/**
 * Runs in the page: replaces everything but the @font-face styles with another document's, and
 * takes that document's address. Only V8's own functions are used (page script is off).
 */
function swapDocument(next: { url: string; lang: string; head: string; body: string }): void {
  history.replaceState(null, '', next.url);
  document.documentElement.lang = next.lang;
  for (const element of [...document.head.children]) {
    if (!(element.tagName === 'STYLE' && (element.textContent ?? '').includes('@font-face'))) element.remove();
  }
  document.head.insertAdjacentHTML('beforeend', next.head);
  document.body.outerHTML = next.body;
}

/**
 * Runs in a page whose script is on (withPage's `script`): replaces the document with another,
 * whole, at its address. document.open() keeps the window, so what the page's script defined
 * stays defined; the old document's nodes and listeners go.
 */
function writeDocument(next: { url: string; html: string }): void {
  history.replaceState(null, '', next.url);
  document.open();
  document.write(next.html);
  document.close();
}

/**
 * Waits until every image of the page has loaded (or failed). Asked from here, a few milliseconds
 * apart: with page script off, promises such as image.decode() may never call back.
 */
async function imagesLoaded(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(() => [...document.images].every((image) => image.complete)))) {
    if (Date.now() > deadline) throw new Error(`Images did not load within ${timeoutMs} ms (limits.render_timeout_ms).`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Loads every @font-face of the page, used or not: Chromium loads faces lazily, so a face needed
 * only by a margin box (page numbers, running header) or a weight used only there would be missing
 * when the page is printed and come out as a Type 3 fallback. The loads are started in the page
 * and their status polled from here: with page script off, a promise may never call back.
 */
async function loadAllFonts(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const settled = () => page.evaluate(() => [...document.fonts].every((face) => face.status === 'loaded' || face.status === 'error'));
  await page.evaluate(() => {
    for (const face of document.fonts) if (face.status === 'unloaded') void face.load().catch(() => undefined);
  });
  while (!(await settled())) {
    if (Date.now() > deadline) throw new Error(`Fonts did not load within ${timeoutMs} ms (limits.render_timeout_ms).`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
