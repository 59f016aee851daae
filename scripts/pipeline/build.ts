import { readdir, readFile, stat } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { VFile } from 'vfile';
import { BriefError, EnvironmentError, InterruptedError } from '../errors.ts';
import { TOOL_ROOT } from '../paths.ts';
import { resolveChrome, type ChromeLocation } from '../setup/chrome.ts';
import { BrowserPool, removeDeadRunFolders } from './browser.ts';
import type { BriefOutcome, RunContext } from './build-brief.ts';
import { findBriefs, type BriefJob } from './discover.ts';
import { codeStamp } from './kept-on-disk.ts';
import { writeIndex } from './index-page.ts';
import type { MarkdownPool } from './markdown-pool.ts';
import type { EarlyChrome } from './prelaunch.ts';
import { Manifest, restoreMessages, sha256, storeMessages } from './manifest.ts';
import { hasErrors, report } from './messages.ts';
import { lockOutputFolder } from './output-lock.ts';
import type { Settings } from './settings.ts';
import { removeStaleTempFiles } from './write.ts';

/** Messages an up-to-date brief repeats: the build's own, and in a check the check's too. */
const BUILD_SOURCES = new Set(['brief']);
const CHECK_SOURCES = new Set(['brief', 'brief-check']);

/** How one brief ended: written, failed, or skipped because nothing it depends on changed. */
export type BriefStatus = 'built' | 'failed' | 'up-to-date';

export interface BriefResult {
  job: BriefJob;
  status: BriefStatus;
  outcome: BriefOutcome;
  durationMs: number;
}

/** What the command line shows while a build runs. */
export type BuildEvent =
  | { type: 'plan'; total: number; upToDate: number }
  | { type: 'chrome'; location: ChromeLocation; launchMs: number; pid: number | undefined }
  | { type: 'brief-start'; job: BriefJob }
  | { type: 'brief-done'; result: BriefResult }
  | { type: 'log'; line: string };

export interface BuildSummary {
  results: BriefResult[];
  /** Problems of the run itself (brief.config.yaml, the manifest), reported like a brief's. */
  runFiles: VFile[];
  /** Ids of briefs whose source is gone: their outputs were removed. */
  removed: string[];
  durationMs: number;
}

export interface BuildControl {
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
  /** A Chrome the command started before the settings were read (prelaunch.ts): the run's first launch takes it over. */
  early?: EarlyChrome;
}

/**
 * Builds every brief the settings name, once: the command `npm run build`. Briefs whose inputs
 * and outputs are unchanged since the last build are skipped (unless `--force`); if none is left
 * to build, neither Chrome nor the Markdown pipeline is even loaded.
 */
export async function buildAll(settings: Settings, control: BuildControl = {}): Promise<BuildSummary> {
  const started = performance.now();
  if (hasErrors(settings.configFile)) return { results: [], runFiles: [settings.configFile], removed: [], durationMs: performance.now() - started };
  const all = await findBriefs(settings);
  const jobs = settings.shard ? shardOf(all, settings.shard.index, settings.shard.count) : all;
  const session = await BuildSession.open(settings, control);
  try {
    // The index lists every brief of the inputs, whichever shard this build was.
    const summary = await session.build(jobs, { force: settings.force, index: all, last: true });
    return { ...summary, durationMs: performance.now() - started };
  } finally {
    await session.close();
  }
}

/**
 * A build that can run again and again (watch mode keeps one open): the manifest of what was
 * built, and, once a brief needs building, one Chrome and one pool of Markdown workers. Builds
 * on one session run one after another, never interleaved.
 */
export class BuildSession {
  private context: Promise<RunningContext> | undefined;
  /** Files the briefs that failed last read: the manifest forgets those briefs, but a fix to one of these files must rebuild them. */
  private readonly failedInputs = new Map<string, string[]>();

  private constructor(
    readonly settings: Settings,
    private readonly control: BuildControl,
    private readonly manifest: Manifest,
  ) {}

  static async open(settings: Settings, control: BuildControl = {}): Promise<BuildSession> {
    const manifest = await Manifest.load(settings.outDir, settings.root, await runSignature(settings));
    return new BuildSession(settings, control, manifest);
  }

  /**
   * Builds these briefs (those out of date, or all with `force`), records them in the manifest and
   * writes the index of every brief built into the output folder (`index` names the rest of the
   * set, for a sharded build). Holds the output folder's lock meanwhile: another build into the
   * same folder waits, and reads the manifest this one wrote. Briefs whose source is gone lose
   * their outputs. A full disk, an unwritable folder or a Chrome that will not start ends the
   * run (briefs in flight finish) and is thrown once, after the manifest is saved.
   */
  async build(jobs: BriefJob[], options: { force?: boolean; index?: BriefJob[]; last?: boolean } = {}): Promise<BuildSummary> {
    const started = performance.now();
    const { settings } = this;
    // A broken brief.config.yaml builds nothing, in watch mode as in npm run build: it is the report.
    if (hasErrors(settings.configFile)) return { results: [], runFiles: [settings.configFile], removed: [], durationMs: performance.now() - started };
    const emit = this.control.onEvent ?? (() => {});
    const release = await lockOutputFolder(settings.outDir, {
      signal: this.control.signal,
      onWait: (holder) => emit({ type: 'log', line: `Another build (pid ${holder.pid}) is writing to ${relative(settings.root, settings.outDir) || '.'}/; waiting for it to finish…` }),
    });
    // The last build of a session (npm run build) closes Chrome and the workers as soon as every
    // brief is done, while it writes the index and the manifest: Chrome takes ~150 ms to close.
    let closing: Promise<void> | undefined;
    try {
      // Another build may have recorded its briefs since this session last looked.
      await this.manifest.reload();
      const removed = await this.manifest.prune(settings.outDir);
      const fresh: BriefResult[] = [];
      const stale: BriefJob[] = [];
      for (const job of jobs) {
        if (!options.force && (await this.manifest.isUpToDate(job.source, job.outputs, settings.formats, { checked: settings.check !== undefined }))) {
          const outcome = emptyOutcome(job);
          const entry = this.manifest.entry(job.source);
          outcome.pages = entry?.pages;
          // What the last build (and check) said still holds: say it again.
          restoreMessages(outcome.file, entry?.messages ?? [], settings.root, settings.check ? CHECK_SOURCES : BUILD_SOURCES);
          fresh.push({ job, status: 'up-to-date', outcome, durationMs: 0 });
        } else {
          stale.push(job);
        }
      }
      emit({ type: 'plan', total: jobs.length, upToDate: fresh.length });
      if (stale.length >= BATCH_BRIEFS) keepHeapNearLive();
      const results: BriefResult[] = [...fresh];
      let fatal: unknown;
      // Chrome folders of runs killed with kill -9 (any output folder's): their owner is gone. Every
      // build sweeps, one with nothing to do too (a read of the temporary folder's names).
      await removeDeadRunFolders();
      if (stale.length > 0) {
        await removeStaleTempFiles(settings.outDir);
        const context = await this.runContext(settings.formats.has('pdf'));
        // A Chrome that would not start for an earlier build of this session gets another chance.
        await context.forgetFailedLaunch();
        for (const job of stale) {
          const decided = this.manifest.entry(job.source)?.toc;
          if (decided !== undefined && !context.tocDecisions.has(job.source)) context.tocDecisions.set(job.source, decided);
        }
        const built = await runLimited(stale, settings.jobs, this.control.signal, async (job) => {
          emit({ type: 'brief-start', job });
          const startedAt = Date.now();
          const result = await buildOne(job, context, this.control.signal);
          // Test seam (BRIEF_FAULTS): a bug of brief's own, thrown while other briefs are in flight.
          if (settings.faults.get(job.id) === 'record-fails') throw new TypeError(`Injected fault: recording ${job.id} failed`);
          const { outcome } = result;
          if (result.status === 'built') {
            await this.manifest.record(job.source, { sourceHash: outcome.file.data.sourceHash, startedAt }, [settings.configFile.path, ...outcome.inputs], outcome.hashes, {
              toc: outcome.toc,
              pages: outcome.pages,
              probes: outcome.probes,
              checked: outcome.checked,
              messages: storeMessages(outcome.file, settings.root),
            });
          } else this.manifest.forget(job.source);
          const matter = outcome.file.data.matter;
          if (matter) {
            this.manifest.list(job.source, {
              id: job.id,
              html: job.outputs.html,
              pdf: job.outputs.pdf,
              title: matter.title,
              lang: matter.lang,
              date: matter.date ?? null,
              summary: matter.summary ?? null,
              translations: (matter.translations ?? []).filter((translation) => /\.md$/i.test(translation.href)).map((translation) => resolve(dirname(job.source), translation.href)),
            });
          }
          if (result.status === 'built') this.failedInputs.delete(job.source);
          else this.failedInputs.set(job.source, outcome.inputs);
          emit({ type: 'brief-done', result });
          letGoOfBrief(outcome.file);
          return result;
        });
        results.push(...built.results);
        fatal = built.error;
      }
      if (options.last) closing = this.close();
      let indexProblems: VFile[] = [];
      // The index first: the manifest records what it was rendered from.
      try {
        indexProblems = await writeIndex(settings, options.index ?? jobs, this.manifest);
      } catch (error) {
        fatal ??= error;
      }
      try {
        await this.manifest.save();
      } catch (error) {
        // The run's own error (a full disk) explains this one: report that one, once.
        fatal ??= error;
      }
      if (fatal !== undefined) throw fatal;
      results.sort((a, b) => (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0));
      const runFiles = [settings.configFile, this.manifest.file, ...indexProblems].filter((file) => file.messages.length > 0);
      return { results, runFiles, removed, durationMs: performance.now() - started };
    } finally {
      await closing;
      await release();
    }
  }

  /**
   * Forgets what this session loaded from files that changed: templates (layout, partials, CSS,
   * labels, fonts.yaml) are read again on the next build. Watch mode calls this before each build.
   */
  async invalidate(paths: string[]): Promise<void> {
    const context = await this.context?.catch(() => undefined);
    if (!context) return;
    for (const path of paths) {
      if (!path.startsWith(this.settings.templatesDir + sep)) continue;
      const name = relative(this.settings.templatesDir, path).split(sep)[0]!;
      context.templates.delete(name);
      context.faces.delete(name);
    }
  }

  /** Briefs that read `path` in their last build (a template file, an image, a bibliography…), by source, failed ones included. */
  dependents(path: string): string[] {
    const failed = [...this.failedInputs].filter(([, inputs]) => inputs.includes(path)).map(([source]) => source);
    return [...new Set([...this.manifest.dependents(path), ...failed])];
  }

  /** Briefs that read any file inside `dir` in their last build. */
  dependentsUnder(dir: string): string[] {
    return this.manifest.dependentsUnder(dir);
  }

  /** Closes Chrome and the Markdown workers, if they were started. Safe to call more than once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const context = await this.context?.catch(() => undefined);
      await context?.close();
    })();
    return this.closed;
  }

  private closed: Promise<void> | undefined;

  private runContext(needsChrome: boolean): Promise<RunningContext> {
    this.context ??= createRunContext(this.settings, this.control, (context) => {
      // Chrome takes half a second to start: start it before loading the rest of the pipeline,
      // so the two overlap.
      if (needsChrome) context.browser().catch(() => {});
    });
    return this.context;
  }
}

/**
 * What every brief's outputs depend on besides its own inputs: the tool's code and locked
 * dependencies (fonts included), brief.config.yaml, the template folders' file lists, the Chrome
 * that prints and SOURCE_DATE_EPOCH. A change to any rebuilds everything.
 */
async function runSignature(settings: Settings): Promise<string> {
  // Node's version too: its ICU data writes the dates and language names.
  const parts: string[] = [settings.generator, await sourcesStamp(), `node=${process.version}`];
  parts.push(sha256(await readFile(join(TOOL_ROOT, 'package-lock.json')).catch(() => '')));
  parts.push(sha256(await readFile(settings.configFile.path).catch(() => '')));
  parts.push(((await readdir(settings.templatesDir, { recursive: true }).catch(() => [])) as string[]).sort().join('\n'));
  parts.push(`SOURCE_DATE_EPOCH=${settings.env.SOURCE_DATE_EPOCH ?? ''}`);
  const chrome = await resolveChrome({ env: settings.env, install: false }).catch(() => undefined);
  const info = chrome ? await stat(chrome.executablePath).catch(() => undefined) : undefined;
  parts.push(`chrome=${chrome?.executablePath ?? ''}:${info?.size ?? ''}:${info?.mtimeMs ?? ''}`);
  return sha256(parts.join('\0'));
}

/**
 * The hash of brief's code: carried by the compiled CLI, computed from scripts/ when running from
 * source (tests), once per process: it stands for the code this process loaded, which does not
 * change while it runs (reading and hashing every source file took ~25 ms of each build).
 */
function sourcesStamp(): Promise<string> {
  const compiled = codeStamp();
  if (compiled !== undefined) return Promise.resolve(compiled);
  loadedSourcesStamp ??= (async () => {
    // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
    const compile = (await import('../compile.mjs')) as { sourcesStamp: (scripts: string) => string };
    return compile.sourcesStamp(join(TOOL_ROOT, 'scripts'));
  })();
  return loadedSourcesStamp;
}

let loadedSourcesStamp: Promise<string> | undefined;

/** Briefs to build from which a build is a batch (see keepHeapNearLive). */
const BATCH_BRIEFS = 10;

/**
 * V8 lets the heap grow to several times what survived the last full collection before it
 * collects again; a batch makes a lot of short-lived garbage (pages, PDFs, fonts as text) and so
 * held 100 MB and more of it. Growing by half instead keeps the process nearer what it really
 * holds: npm run bench -- batch, 100 briefs, ~100 MB less at the peak for ~6% more CPU (by a
 * fifth: ~130 MB less, ~20% more CPU). A build of a few briefs keeps V8's default: the more
 * frequent collections cost a cold build of the seed ~80 ms of CPU (10 + 10 alternating runs).
 */
function keepHeapNearLive(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/** Launches of Chrome tried before its failure to start is reported. */
const LAUNCH_ATTEMPTS = 3;
/** Wait before the second launch; twice that before the third. */
const LAUNCH_BACKOFF_MS = 300;

/** The first line of an error's message. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

/**
 * What the run's end reads of a brief's VFile: its path, messages, front matter and source hash
 * (the summary, `npm run check`'s report, watch mode's preview). The rest (the source text, the
 * front matter parsed with the place of every value, headings, charts, places in the page) is let
 * go once the brief is recorded: a batch held ~40 KB of it per brief (heap snapshots of a
 * 1,000-brief build; its peak went from 685 to 647 MB without it).
 */
function letGoOfBrief(file: VFile): void {
  const { matter, sourceHash } = file.data;
  // Copied: the YAML parser's strings are slices of the source text, and each kept the brief's
  // whole source alive (802 sources of 900 briefs in a heap snapshot, ~11 KB each).
  file.data = structuredClone({ ...(matter ? { matter } : {}), ...(sourceHash ? { sourceHash } : {}) });
  file.value = '';
}

function emptyOutcome(job: BriefJob): BriefOutcome {
  return { file: new VFile({ path: job.source }), written: [], hashes: {}, inputs: [], probes: [], timings: {} };
}

/** What a run keeps across briefs, with `close()` to release Chrome. */
export type RunningContext = RunContext & {
  close(): Promise<void>;
  buildBrief: typeof import('./build-brief.ts').buildBrief;
  /** Forgets a Chrome that failed to start, so that the next build (in watch mode) tries again. */
  forgetFailedLaunch(): Promise<void>;
};

/**
 * A run's shared parts. `beforeLoad` runs once the context exists but before the Markdown
 * pipeline is imported, so a caller can start Chrome first and let the two overlap.
 */
export async function createRunContext(settings: Settings, control: BuildControl, beforeLoad?: (context: RunningContext) => void): Promise<RunningContext> {
  let launching: Promise<BrowserPool> | undefined;
  const failedLaunches = new WeakSet<Promise<BrowserPool>>();
  const launched: Promise<BrowserPool>[] = [];
  let markdownPool: MarkdownPool | undefined;
  const emit = control.onEvent ?? (() => {});
  let closing = false;
  const stopped = () => closing || control.signal?.aborted === true;
  const interrupted = () => new InterruptedError(control.signal?.reason instanceof Error ? control.signal.reason.message : 'The run is ending');
  let early = control.early;
  const launch = (): Promise<BrowserPool> => {
    const started = (async () => {
      // The Chrome started early (prelaunch.ts), if any, is the first attempt: taken when it started
      // and fits this run's limits, else closed and replaced; a failed early launch is a failed attempt.
      const adopted = early;
      early = undefined;
      const start = adopted?.startedAt ?? performance.now();
      if (settings.env.BRIEF_TIMINGS) emit({ type: 'log', line: adopted ? `chrome launch started at ${Math.round(start)} ms, before the pipeline loaded` : `chrome launch starts at ${Math.round(start)} ms` });
      const location =
        adopted?.location ??
        (await resolveChrome({ env: settings.env, install: true, log: (line) => emit({ type: 'log', line }) }).catch((error: unknown) => {
          // No Chrome is the machine's problem, the same for every brief: said once.
          throw error instanceof BriefError && !(error instanceof EnvironmentError) ? new EnvironmentError(error.message, error.code, { cause: error }) : error;
        }));
      const attemptLaunch = async (attempt: number): Promise<BrowserPool> => {
        if (attempt === 1 && adopted) {
          const pool = await adopted.pool;
          if (pool.connected && pool.fits({ maxPages: settings.pages, timeoutMs: settings.config.limits.render_timeout_ms })) return pool;
          await pool.close();
        }
        return BrowserPool.launch({
          executablePath: location.executablePath,
          timeoutMs: settings.config.limits.render_timeout_ms,
          signal: control.signal,
          maxPages: settings.pages,
        });
      };
      // A loaded machine sometimes fails a launch (Chrome's start times out, or it exits at once):
      // try again a bounded number of times before calling it the machine's problem.
      let failure: unknown;
      for (let attempt = 1; attempt <= LAUNCH_ATTEMPTS; attempt++) {
        if (stopped()) throw interrupted();
        try {
          const pool = await attemptLaunch(attempt);
          emit({ type: 'chrome', location, launchMs: performance.now() - start, pid: pool.pid });
          return pool;
        } catch (error) {
          if (stopped()) throw interrupted();
          failure = error;
          if (attempt < LAUNCH_ATTEMPTS) {
            emit({ type: 'log', line: `Chrome did not start (${firstLine(error)}); trying again (attempt ${attempt + 1} of ${LAUNCH_ATTEMPTS}).` });
            await new Promise((resolve) => setTimeout(resolve, LAUNCH_BACKOFF_MS * attempt));
          }
        }
      }
      throw new EnvironmentError(
        `Chrome (${location.executablePath}) did not start, ${LAUNCH_ATTEMPTS} times: ${firstLine(failure)}. Check that it runs (\`${location.executablePath} --headless --dump-dom about:blank\`) and that the machine has free memory, or set BRIEF_CHROME to another Chrome.`,
        'chrome-launch-failed',
        { cause: failure },
      );
    })();
    launched.push(started);
    started.catch(() => failedLaunches.add(started));
    return started;
  };
  const context = {
    settings,
    buildBrief: undefined as unknown as RunningContext['buildBrief'],
    markdown() {
      markdownPool ??= new MarkdownPoolClass(
        {
          allowedRoots: [settings.sourceDir, settings.templatesDir, ...settings.inputs],
          maxImageBytes: settings.config.limits.max_image_bytes,
          maxDataBytes: settings.config.limits.max_data_bytes,
          fetchTimeoutMs: settings.config.limits.fetch_timeout_ms,
          maxDepth: settings.config.limits.max_depth,
        },
        // One worker keeps up with Chrome (a brief's Markdown takes about 10 ms); each more costs ~50 MB.
        { threads: 1, timeoutMs: settings.config.limits.render_timeout_ms },
      );
      return markdownPool;
    },
    templates: new Map(),
    faces: new Map(),
    tocDecisions: new Map(),
    async browser() {
      // Once the run is ending, no Chrome is started (again): the print in flight ends instead.
      if (stopped()) throw interrupted();
      const current = (launching ??= launch());
      const pool = await current;
      // Chrome died (it crashed, or was killed): start a new one for what is left of the run.
      if (!pool.connected && launching === current) {
        if (stopped()) throw interrupted();
        emit({ type: 'log', line: 'Chrome stopped responding; starting a new one.' });
        launching = launch();
      }
      return launching;
    },
    async forgetFailedLaunch() {
      // Never waits: a launch still under way is left to finish.
      if (launching && failedLaunches.has(launching)) launching = undefined;
    },
    async close() {
      closing = true;
      // The workers and every Chrome this run started, the dead ones included (their close reaps
      // the process), all at once.
      const chromes = Promise.all(launched.map((started) => started.catch(() => undefined))).then((pools) => Promise.all(pools.map((pool) => pool?.close())));
      await Promise.all([markdownPool?.close(), chromes]);
    },
  } satisfies RunningContext as RunningContext;
  beforeLoad?.(context);
  const { MarkdownPool: MarkdownPoolClass } = await import('./markdown-pool.ts');
  // Workers start loading the Markdown pipeline now, on the other cores, while this thread loads the rest.
  context.markdown();
  const { buildBrief } = await import('./build-brief.ts');
  context.buildBrief = buildBrief;
  if (settings.env.BRIEF_TIMINGS) emit({ type: 'log', line: `pipeline loaded at ${Math.round(performance.now())} ms` });
  return context;
}

/**
 * Builds one brief and says how it ended. Its own problems are messages on its file; a failure of
 * the machine (EnvironmentError) is thrown, to end the run once rather than blame every brief;
 * a brief the run's interruption cut short says so, and nothing else.
 */
async function buildOne(job: BriefJob, context: RunningContext, signal: AbortSignal | undefined): Promise<BriefResult> {
  const start = performance.now();
  let outcome: BriefOutcome;
  try {
    outcome = await context.buildBrief(job, context);
  } catch (error) {
    if (error instanceof EnvironmentError && !signal?.aborted) throw error;
    const file = new VFile({ path: job.source });
    const reason = error instanceof Error ? error.message : String(error);
    // Our own errors (Chrome missing, a timeout) carry their wording; anything else is a bug.
    const known = error instanceof BriefError;
    const message = report(file, 'error', known ? reason : `Internal error: ${reason}`, known ? error.code : 'internal-error');
    if (!known && error instanceof Error) message.stack = error.stack;
    outcome = { ...emptyOutcome(job), file };
  }
  // Chrome closing under an interrupted run makes prints fail: that is the interruption, not the brief.
  if (signal?.aborted && hasErrors(outcome.file)) {
    const file = new VFile({ path: job.source });
    file.data.matter = outcome.file.data.matter;
    const why = signal.reason instanceof Error ? signal.reason.message : 'Interrupted';
    report(file, 'error', `${why} before this brief was finished: its outputs were left as they were.`, 'interrupted');
    outcome = { ...emptyOutcome(job), file };
  }
  return { job, status: hasErrors(outcome.file) ? 'failed' : 'built', outcome, durationMs: performance.now() - start };
}

/**
 * Runs `work` over `items`, at most `limit` at once, in order of the items. Stops taking new ones
 * on abort, or once a `work` throws (an EnvironmentError, or a bug): the others in flight are
 * waited for, never left running behind the caller's back, and the first error is returned.
 */
async function runLimited<T, R>(items: T[], limit: number, signal: AbortSignal | undefined, work: (item: T) => Promise<R>): Promise<{ results: R[]; error: unknown }> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let error: unknown;
  const worker = async () => {
    while (next < items.length && !signal?.aborted && error === undefined) {
      const index = next++;
      try {
        results[index] = await work(items[index]!);
      } catch (thrown) {
        error ??= thrown;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { results: results.filter((result) => result !== undefined), error };
}

/** The `index`-th (1-based) of `count` stable parts of a sorted list: every item in exactly one. */
export function shardOf<T>(items: T[], index: number, count: number): T[] {
  return items.filter((_, position) => position % count === index - 1);
}
