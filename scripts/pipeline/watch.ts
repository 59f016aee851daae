import { watch, type FSWatcher } from 'chokidar';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, relative, resolve, sep } from 'node:path';
import { BuildSession, type BuildControl, type BuildSummary } from './build.ts';
import { CONFIG_NAME } from './config.ts';
import { findBriefs, type BriefJob } from './discover.ts';
import { resolveSettings, type BuildOptions, type Settings } from './settings.ts';
import { splitFrontMatter } from './split-front-matter.ts';
import { symlinkLoop } from './symlink-loop.ts';

/** chokidar ignores a change to a file that comes within this long of the previous one. */
const CHOKIDAR_THROTTLE_MS = 50;

/** What happened, for the terminal and the preview server. */
export type WatchEvent =
  | { type: 'ready'; watched: string[] }
  | { type: 'changed'; paths: string[]; briefs: number }
  | { type: 'built'; summary: BuildSummary; settings: Settings }
  | { type: 'loop'; path: string; target: string }
  | { type: 'error'; error: unknown };

export interface WatchOptions {
  build: BuildOptions;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Quiet time after the last file event before a build starts: editors save in several steps. */
  settleMs?: number;
  signal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
  /** Build progress, as for npm run build. */
  onBuildEvent?: BuildControl['onEvent'];
}

/**
 * Watch mode: builds once, then rebuilds what each change affects — a brief's own source; every
 * brief a template file, image or font fed last time (from the manifest); everything when
 * brief.config.yaml changes. One Chrome and one pool of Markdown workers serve every build;
 * builds never overlap: changes that arrive during one are queued and coalesced into the next.
 * Resolves when `signal` aborts, with Chrome, workers and the file watcher closed.
 */
export async function watchBriefs(options: WatchOptions): Promise<void> {
  const settle = options.settleMs ?? 10;
  let settings = await resolveSettings(options.build, { cwd: options.cwd, env: options.env });
  let session = await BuildSession.open(settings, { signal: options.signal, onEvent: options.onBuildEvent });
  let jobs = new Map((await findBriefs(settings)).map((job) => [job.source, job]));

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let rebuildAll = true;

  // What each changed file held when a build last read it, and when: chokidar reports a write up
  // to 50 ms late, sometimes after the build that read it has started; such an event, for bytes
  // already built and a file not written since, builds nothing again.
  const seen = new Map<string, { content: string | undefined; at: number }>();
  const alreadyBuilt = async (path: string, content: string | undefined): Promise<boolean> => {
    const last = seen.get(path);
    if (!last || last.content !== content) return false;
    const modified = await stat(path).then((info) => info.mtimeMs, () => undefined);
    return modified === undefined || modified <= last.at;
  };

  const runBuilds = async () => {
    while ((rebuildAll || pending.size > 0) && !options.signal.aborted) {
      const at = Date.now();
      const changedPaths = [...pending];
      pending.clear();
      const snapshot = await contentsOf(changedPaths);
      const paths: string[] = [];
      for (const path of changedPaths) if (rebuildAll || !(await alreadyBuilt(path, snapshot.get(path)))) paths.push(path);
      for (const path of paths) seen.set(path, { content: snapshot.get(path), at });
      if (paths.length === 0 && !rebuildAll) continue;
      try {
        // The config's logo is read with the config: a new logo is a new config.
        if (paths.some((path) => (basename(path) === CONFIG_NAME && resolve(path) === resolve(settings.root, CONFIG_NAME)) || path === settings.brand.logo?.path)) {
          // New config: new settings, and a new session (Chrome and workers start again).
          await session.close();
          settings = await resolveSettings(options.build, { cwd: options.cwd, env: options.env });
          session = await BuildSession.open(settings, { signal: options.signal, onEvent: options.onBuildEvent });
          if (settings.brand.logo) watcher.add(settings.brand.logo.path);
          rebuildAll = true;
        }
        jobs = new Map((await findBriefs(settings)).map((job) => [job.source, job]));
        const affected = rebuildAll ? [...jobs.values()] : affectedJobs(paths, jobs, session, settings);
        if (!rebuildAll) options.onEvent({ type: 'changed', paths: paths.map((path) => relative(settings.root, path)), briefs: affected.length });
        rebuildAll = false;
        // A file or folder gone (deleted, renamed) leaves outputs to remove, even with nothing to build.
        const gone = paths.some((path) => snapshot.get(path) === undefined && !jobs.has(path));
        if (affected.length > 0 || gone || settings.configFile.messages.length > 0) {
          await session.invalidate(paths);
          const summary = await session.build(affected, { index: [...jobs.values()] });
          options.onEvent({ type: 'built', summary, settings });
        }
      } catch (error) {
        options.onEvent({ type: 'error', error });
      }
      // chokidar drops a second change to a file within 50 ms of the first, and an editor that
      // saves in steps makes exactly that: once that window has passed, whatever changed since
      // this build read it is built again.
      setTimeout(() => {
        void contentsOf(paths).then((now) => {
          const changed = paths.filter((path) => now.get(path) !== snapshot.get(path));
          if (changed.length === 0 || options.signal.aborted) return;
          for (const path of changed) pending.add(path);
          schedule();
        });
      }, CHOKIDAR_THROTTLE_MS + 25).unref();
    }
  };

  let waitedForWrites = 0;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void (async () => {
        // An editor that truncates a file and then writes it leaves it empty, or with its front
        // matter open, for a moment: give such a file up to 150 ms more before building it.
        if (waitedForWrites < 150 && (await anyHalfWritten([...pending]))) {
          waitedForWrites += 25;
          timer = setTimeout(schedule, 25);
          return;
        }
        waitedForWrites = 0;
        // One build at a time: a running build picks up what arrived when it finishes.
        running ??= runBuilds().finally(() => {
          running = undefined;
          if (pending.size > 0) schedule();
        });
      })();
    }, settle);
  };

  const watched = [...settings.inputs, settings.templatesDir, resolve(settings.root, CONFIG_NAME), ...(settings.brand.logo ? [settings.brand.logo.path] : [])];
  // A symbolic link loop is reported once at its path and not followed: the rest is watched.
  const loops = new Set<string>();
  const isLoop = (path: string): boolean => {
    const target = symlinkLoop(path);
    if (target === undefined) return false;
    if (!loops.has(path)) {
      loops.add(path);
      options.onEvent({ type: 'loop', path, target });
    }
    return true;
  };
  const watcher: FSWatcher = watch(watched, {
    ignoreInitial: true,
    ignored: (path) => isInside(path, settings.outDir) || /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(path) || isLoop(resolve(path)),
  });
  watcher.on('all', (_event, path) => {
    pending.add(resolve(path));
    schedule();
  });
  // A path chokidar cannot watch (a link loop it met first, permissions): say so, keep watching the rest.
  watcher.on('error', (error) => options.onEvent({ type: 'error', error: new Error(`Cannot watch ${(error as NodeJS.ErrnoException).path ?? 'a path'}: ${error instanceof Error ? error.message : String(error)}; the rest is still watched.`) }));
  // Ctrl-C works while the first scan runs too.
  await new Promise<void>((ready) => {
    watcher.once('ready', () => ready());
    options.signal.addEventListener('abort', () => ready(), { once: true });
  });
  if (!options.signal.aborted) options.onEvent({ type: 'ready', watched: watched.map((path) => relative(settings.root, path) || '.') });

  schedule();
  await new Promise<void>((stop) => {
    if (options.signal.aborted) stop();
    options.signal.addEventListener('abort', () => stop(), { once: true });
  });
  clearTimeout(timer);
  await watcher.close();
  await running?.catch(() => {});
  await session.close();
}

/** Whether a changed Markdown file looks half-written: empty, or front matter opened and not closed. */
async function anyHalfWritten(paths: string[]): Promise<boolean> {
  for (const path of paths) {
    if (extname(path) !== '.md') continue;
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    if (text.trim() === '' || splitFrontMatter(text).kind === 'unclosed') return true;
  }
  return false;
}

/** Each file's content (or undefined when gone), to compare before and after a build. */
async function contentsOf(paths: string[]): Promise<Map<string, string | undefined>> {
  const contents = new Map<string, string | undefined>();
  for (const path of paths) contents.set(path, await readFile(path, 'latin1').catch(() => undefined));
  return contents;
}

/** The briefs a set of changed files affects. */
function affectedJobs(paths: string[], jobs: Map<string, BriefJob>, session: BuildSession, settings: Settings): BriefJob[] {
  const sources = new Set<string>();
  for (const path of paths) {
    if (jobs.has(path)) sources.add(path);
    for (const dependent of session.dependents(path)) sources.add(dependent);
    // A file added to a template folder (a new partial) concerns every brief of that template.
    if (isInside(path, settings.templatesDir)) {
      const template = relative(settings.templatesDir, path).split(sep)[0]!;
      for (const dependent of session.dependentsUnder(resolve(settings.templatesDir, template))) sources.add(dependent);
    }
    // A Markdown file that is not yet a known brief may be a new one: findBriefs found it above.
    if (extname(path) === '.md' && jobs.has(path)) sources.add(path);
  }
  return [...sources].map((source) => jobs.get(source)).filter((job): job is BriefJob => job !== undefined);
}

function isInside(path: string, dir: string): boolean {
  const resolved = resolve(path);
  return resolved === dir || resolved.startsWith(dir + sep);
}
