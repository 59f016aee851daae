import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { BriefError } from '../errors.ts';
import { TOOL_ROOT } from '../paths.ts';
import type { MarkdownOptions, RenderResult, RenderTask } from './markdown.ts';

/** Rendering a brief's Markdown took longer than limits.render_timeout_ms. */
export class RenderTimeoutError extends BriefError {
  constructor(timeoutMs: number) {
    super(`Rendering the Markdown took longer than ${timeoutMs} ms and was stopped (limits.render_timeout_ms). Look for very long runs of * _ [ or \` in the text.`, 'limit-render-time');
  }
}

export interface MarkdownPoolOptions {
  threads: number;
  timeoutMs: number;
  /** Heap for each worker, in MB: a runaway brief ends its worker, not the build. */
  maxHeapMb?: number;
}

/** Worker pools kept for the whole process once shareMarkdownWorkers() is called, by their shape. */
let shared: Map<string, Piscina> | undefined;

/**
 * For a process that runs many builds one after another (the test suite runs the CLI in its own
 * process hundreds of times): keep the Markdown workers, and the pipeline loaded in them, from
 * one run to the next instead of starting them for each run (about 0.4 s of CPU a run). Each
 * task carries its own run's options (folders allowed, limits), so runs share nothing else.
 */
export function shareMarkdownWorkers(): void {
  shared ??= new Map();
}

function workerPool(options: MarkdownPoolOptions): Piscina {
  const threads = Math.max(1, options.threads);
  const maxHeapMb = options.maxHeapMb ?? 768;
  const key = `${threads}:${maxHeapMb}`;
  const existing = shared?.get(key);
  if (existing) return existing;
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  });
  shared?.set(key, pool);
  return pool;
}

/**
 * Worker threads that render Markdown: briefs are parsed in parallel with Chrome printing others,
 * and one that hangs is stopped at its time limit, its worker replaced. Close it when done.
 */
export class MarkdownPool {
  private readonly pool: Piscina;
  private readonly owned: boolean;

  constructor(
    private readonly markdown: MarkdownOptions,
    private readonly options: MarkdownPoolOptions,
  ) {
    this.owned = shared === undefined;
    this.pool = workerPool(options);
  }

  /** Renders one brief; throws RenderTimeoutError when it takes too long. */
  async render(task: RenderTask): Promise<RenderResult> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return (await this.pool.run({ task, options: this.markdown }, { signal })) as RenderResult;
    } catch (error) {
      if (signal.aborted) throw new RenderTimeoutError(this.options.timeoutMs);
      throw error;
    }
  }

  async close(): Promise<void> {
    // A shared pool lives on for the next run.
    if (this.owned) await this.pool.destroy();
  }
}

/**
 * The compiled worker: beside this module when running from the compiled CLI, else (tests run
 * the TypeScript sources) in the compile cache that scripts/compile.mjs fills.
 */
function workerFile(): string {
  const beside = fileURLToPath(new URL('./markdown-worker.mjs', import.meta.url));
  return existsSync(beside) ? beside : join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'cli', 'markdown-worker.mjs');
}
