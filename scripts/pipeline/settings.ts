import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { TOOL_ROOT, toolVersion } from '../paths.ts';
import type { VFile } from 'vfile';
import type { ResolvedBrand } from './brand.ts';
import type { BriefChecks } from './brief-checks.ts';
import { loadConfig } from './config.ts';
import { defaultConfig } from './config-defaults.ts';
import type { Config } from './schema.ts';

/** Output formats a build can write. */
export type Format = 'html' | 'pdf';

/** What the command line asked for, before defaults. */
export interface BuildOptions {
  inputs?: string[];
  out?: string;
  formats?: Format[];
  force?: boolean;
  jobs?: number;
  shard?: { index: number; count: number };
  /** Run these checks too: the layout and accessibility checks of npm run check, which hands them in. */
  check?: BriefChecks;
}

/** Everything a build needs to know, resolved once; stages never read argv, env or cwd. */
export interface Settings {
  /** The project: where package.json, source/, templates/ and brief.config.yaml are. */
  root: string;
  sourceDir: string;
  templatesDir: string;
  outDir: string;
  /** Files and folders to build (absolute). */
  inputs: string[];
  formats: ReadonlySet<Format>;
  force: boolean;
  jobs: number;
  /** Chrome pages printing at once: a renderer process each, so bounded by the cores (and memory). */
  pages: number;
  shard: { index: number; count: number } | undefined;
  /**
   * Check as well as build (npm run check): measure the printed layout, read the PDF back and
   * audit the handout with axe-core. A brief last built without checks is built again. The checks
   * are handed in by commands/check.ts: the build calls them and never imports them.
   */
  check: BriefChecks | undefined;
  config: Config;
  /** brief.config.yaml's brand, its logo read and embedded. */
  brand: ResolvedBrand;
  /** brief.config.yaml as a file: its problems are reported like a brief's. */
  configFile: VFile;
  /** The environment, for Chrome's location (BRIEF_CHROME…) and SOURCE_DATE_EPOCH. */
  env: NodeJS.ProcessEnv;
  /** "brief 0.1.0": written into every output. */
  generator: string;
  /** Where derived files that are slow to make are kept between runs (font subsets). */
  cacheDir: string;
  /**
   * Faults to inject, by brief id (test seam, from BRIEF_FAULTS="crash-page:a,kill-chrome:b"):
   * crash-page (first print only), crash-page-always, kill-chrome (first print), hang-always,
   * record-fails (an internal error after the brief is built, before it is recorded).
   */
  faults: ReadonlyMap<string, string>;
}

/**
 * Turns command-line options into settings: the one place defaults live. Relative paths are
 * resolved from `cwd`; the project root is `cwd` too (npm runs scripts from the project folder).
 * When brief.config.yaml is broken, `config` holds the defaults and its errors are on configFile.
 */
export async function resolveSettings(options: BuildOptions, context: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Settings> {
  const root = context.cwd;
  const { config, file, brand } = await loadConfig(root);
  const sourceDir = join(root, 'source');
  return {
    root,
    sourceDir,
    templatesDir: join(root, 'templates'),
    outDir: resolve(root, options.out ?? 'output'),
    inputs: (options.inputs?.length ? options.inputs : [sourceDir]).map((input) => resolve(root, input)),
    // A check reads both the handout and the PDF.
    formats: new Set(options.check ? ['html', 'pdf'] : (options.formats ?? ['html', 'pdf'])),
    force: options.force ?? false,
    jobs: options.jobs ?? defaultJobs(),
    pages: Math.min(options.jobs ?? defaultJobs(), availableParallelism()),
    shard: options.shard,
    check: options.check,
    // A broken config builds nothing (see configFile); its defaults stand in so no stage meets a hole.
    config: config ?? defaultConfig(),
    brand,
    configFile: file,
    env: context.env,
    generator: `brief ${toolVersion()}`,
    cacheDir: join(TOOL_ROOT, 'node_modules', '.cache', 'brief'),
    faults: new Map(
      (context.env.BRIEF_FAULTS ?? '')
        .split(',')
        .filter(Boolean)
        .map((entry) => [entry.slice(entry.indexOf(':') + 1), entry.slice(0, entry.indexOf(':'))] as [string, string]),
    ),
  };
}

/**
 * Briefs built at once by default: one more than the cores, so that one brief's Markdown and
 * fonts are prepared while the others print (Chrome prints on at most one page per core).
 * Measured with npm run bench -- batch on 2 cores: --jobs 3 builds 100 briefs ~8% faster than
 * --jobs 2 in the same memory; --jobs 4 gains nothing more.
 */
export function defaultJobs(): number {
  return availableParallelism() + 1;
}

