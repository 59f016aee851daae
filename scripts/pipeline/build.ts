import { VFile } from 'vfile';
import { BriefError } from '../errors.ts';
import { resolveChrome, type ChromeLocation } from '../setup/chrome.ts';
import { BrowserPool } from './browser.ts';
import type { BriefOutcome, RunContext } from './build-brief.ts';
import { findBriefs, type BriefJob } from './discover.ts';
import { MarkdownPool } from './markdown-pool.ts';
import { hasErrors, report } from './messages.ts';
import type { Settings } from './settings.ts';
import { removeStaleTempFiles } from './write.ts';

/** How one brief ended. */
export type BriefStatus = 'built' | 'failed';

export interface BriefResult {
  job: BriefJob;
  status: BriefStatus;
  outcome: BriefOutcome;
  durationMs: number;
}

/** What the command line shows while a build runs. */
export type BuildEvent =
  | { type: 'plan'; total: number }
  | { type: 'chrome'; location: ChromeLocation; launchMs: number }
  | { type: 'brief-start'; job: BriefJob }
  | { type: 'brief-done'; result: BriefResult }
  | { type: 'log'; line: string };

export interface BuildSummary {
  results: BriefResult[];
  /** Problems of the run itself (brief.config.yaml), reported like a brief's. */
  runFiles: VFile[];
  durationMs: number;
}

export interface BuildControl {
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
}

/**
 * Builds every brief the settings name, `jobs` at a time, with one Chrome for the whole run,
 * started while the first briefs are still being parsed. Never prints: progress goes to
 * `onEvent`, problems onto each brief's VFile. One failing brief never stops the others.
 */
export async function buildAll(settings: Settings, control: BuildControl = {}): Promise<BuildSummary> {
  const started = performance.now();
  const emit = control.onEvent ?? (() => {});
  if (hasErrors(settings.configFile)) return { results: [], runFiles: [settings.configFile], durationMs: performance.now() - started };

  let jobs = await findBriefs(settings);
  if (settings.shard) jobs = shardOf(jobs, settings.shard.index, settings.shard.count);
  emit({ type: 'plan', total: jobs.length });
  await removeStaleTempFiles(settings.outDir);

  const context = await createRunContext(settings, control, (context) => {
    // Chrome takes half a second to start: start it before loading the Markdown pipeline (which
    // itself takes half a second to import), so the two overlap.
    if (settings.formats.has('pdf') && jobs.length > 0) context.browser().catch(() => {});
  });
  try {
    const results = await runLimited(jobs, settings.jobs, control.signal, async (job) => {
      emit({ type: 'brief-start', job });
      const result = await buildOne(job, context);
      emit({ type: 'brief-done', result });
      return result;
    });
    const runFiles = settings.configFile.messages.length > 0 ? [settings.configFile] : [];
    return { results, runFiles, durationMs: performance.now() - started };
  } finally {
    await context.close();
  }
}

/** What a run keeps across briefs, with `close()` to release Chrome. */
export type RunningContext = RunContext & { close(): Promise<void>; buildBrief: typeof import('./build-brief.ts').buildBrief };

/**
 * A run's shared parts. `beforeLoad` runs once the context exists but before the Markdown
 * pipeline is imported, so a caller can start Chrome first and let the two overlap.
 */
export async function createRunContext(settings: Settings, control: BuildControl, beforeLoad?: (context: RunningContext) => void): Promise<RunningContext> {
  let launching: Promise<BrowserPool> | undefined;
  let markdownPool: MarkdownPool | undefined;
  const emit = control.onEvent ?? (() => {});
  const context = {
    settings,
    buildBrief: undefined as unknown as RunningContext['buildBrief'],
    markdown() {
      markdownPool ??= new MarkdownPool(
        {
          allowedRoots: [settings.sourceDir, settings.templatesDir, ...settings.inputs],
          maxImageBytes: settings.config.limits.max_image_bytes,
          fetchTimeoutMs: settings.config.limits.fetch_timeout_ms,
          maxDepth: settings.config.limits.max_depth,
        },
        { threads: settings.jobs, timeoutMs: settings.config.limits.render_timeout_ms },
      );
      return markdownPool;
    },
    templates: new Map(),
    faces: new Map(),
    tocDecisions: new Map(),
    browser() {
      launching ??= (async () => {
        const start = performance.now();
        if (settings.env.BRIEF_TIMINGS) emit({ type: 'log', line: `chrome launch starts at ${Math.round(start)} ms` });
        const location = await resolveChrome({ env: settings.env, install: true, log: (line) => emit({ type: 'log', line }) });
        const pool = await BrowserPool.launch({ executablePath: location.executablePath, timeoutMs: settings.config.limits.render_timeout_ms, signal: control.signal });
        emit({ type: 'chrome', location, launchMs: performance.now() - start });
        return pool;
      })();
      return launching;
    },
    async close() {
      await markdownPool?.close();
      if (!launching) return;
      const pool = await launching.catch(() => undefined);
      await pool?.close();
    },
  } satisfies RunningContext as RunningContext;
  beforeLoad?.(context);
  // Workers start loading the Markdown pipeline now, on the other cores, while this thread loads the rest.
  context.markdown();
  const { buildBrief } = await import('./build-brief.ts');
  context.buildBrief = buildBrief;
  if (settings.env.BRIEF_TIMINGS) emit({ type: 'log', line: `pipeline loaded at ${Math.round(performance.now())} ms` });
  return context;
}

async function buildOne(job: BriefJob, context: RunningContext): Promise<BriefResult> {
  const start = performance.now();
  let outcome: BriefOutcome;
  try {
    outcome = await context.buildBrief(job, context);
  } catch (error) {
    const file = new VFile({ path: job.source });
    const reason = error instanceof Error ? error.message : String(error);
    // Our own errors (Chrome missing, a timeout) carry their wording; anything else is a bug.
    const known = error instanceof BriefError;
    const message = report(file, 'error', known ? reason : `Internal error: ${reason}`, known ? error.code : 'internal-error');
    if (!known && error instanceof Error) message.stack = error.stack;
    outcome = { file, written: [], timings: {} };
  }
  return { job, status: hasErrors(outcome.file) ? 'failed' : 'built', outcome, durationMs: performance.now() - start };
}

/** Runs `work` over `items`, at most `limit` at once, in order of the items; stops taking new ones on abort. */
async function runLimited<T, R>(items: T[], limit: number, signal: AbortSignal | undefined, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results.filter((result) => result !== undefined);
}

/** The `index`-th (1-based) of `count` stable parts of a sorted list: every item in exactly one. */
export function shardOf<T>(items: T[], index: number, count: number): T[] {
  return items.filter((_, position) => position % count === index - 1);
}
