import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { MANIFEST_NAME } from '../paths.ts';
import { resolveChrome, type ChromeLocation } from '../setup/chrome.ts';
import { BrowserPool, DEFAULT_TIMEOUT_MS } from './browser.ts';

/** A Chrome started before the build knew its settings, for the build to take over (build.ts). */
export interface EarlyChrome {
  location: ChromeLocation;
  /** performance.now() when the launch began. */
  startedAt: number;
  /** The launched pool; rejects if Chrome did not start (the build then launches as usual). */
  pool: Promise<BrowserPool>;
  /** Closes it, whoever took it over (closing twice is harmless). */
  close(): Promise<void>;
}

/**
 * Starts Chrome at once, before the build's own code is even loaded, when a build is sure to
 * print: PDF among the formats, the output folder has no manifest (a first build, output/
 * deleted) or --force, and every file or folder named on the command line exists (else the build
 * stops at once, a usage error). Chrome's start (about a second) is the longest single step of such a
 * build and needs nothing from the pipeline: loading the settings, the schema and the Markdown
 * pipeline happens meanwhile. It is the same sealed launch as any (BrowserPool.launch: the same
 * flags, its own profile folder, closed on abort); with limits that brief.config.yaml turns out
 * to change, the build closes it and launches its own. Undefined when the build may have nothing
 * to print, or when Chrome is not installed (the build resolves, and installs, it as usual).
 */
export async function prelaunch(request: { cwd: string; env: NodeJS.ProcessEnv; inputs: string[]; out: string | undefined; formats: string[] | undefined; force: boolean | undefined; signal: AbortSignal }): Promise<EarlyChrome | undefined> {
  if (request.formats && !request.formats.includes('pdf')) return undefined;
  if (!request.force && existsSync(join(resolve(request.cwd, request.out ?? 'output'), MANIFEST_NAME))) return undefined;
  if (request.inputs.some((input) => !existsSync(resolve(request.cwd, input)))) return undefined;
  const location = await resolveChrome({ env: request.env, install: false }).catch(() => undefined);
  if (!location || request.signal.aborted) return undefined;
  const startedAt = performance.now();
  const pool = BrowserPool.launch({
    executablePath: location.executablePath,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    signal: request.signal,
    // The run's own number, once known, replaces it (BrowserPool.fits).
    maxPages: availableParallelism(),
  });
  pool.catch(() => {});
  return {
    location,
    startedAt,
    pool,
    close: async () => {
      await (await pool.catch(() => undefined))?.close();
    },
  };
}
