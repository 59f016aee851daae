import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { main } from '../../scripts/cli.ts';
import { TOOL_ROOT } from '../../scripts/paths.ts';
import { shareChrome } from '../../scripts/pipeline/browser.ts';
import { shareMarkdownWorkers } from '../../scripts/pipeline/markdown-pool.ts';
import { outputWatcher } from './spawn.ts';

// Every run of the CLI in this process keeps the Markdown workers of the one before (markdown-pool.ts),
// and borrows one Chrome kept for the process (browser.ts): files that prove Chrome's own start and
// end turn that off for their run with chromePerRun().
shareMarkdownWorkers();
shareChrome(true);

/** For a test file about Chrome's own start and end: each run launches and closes its own Chrome, as a command does. */
export function chromePerRun(): void {
  beforeAll(() => shareChrome(false));
  afterAll(() => shareChrome(true));
}

/** A brief project in a temporary folder: the real templates, briefs of the test's choosing. */
export interface TempProject {
  root: string;
  /** Writes a file relative to the project (folders are created). */
  write(path: string, content: string | Uint8Array): Promise<void>;
  read(path: string): Promise<string>;
  /** Runs the CLI in-process as `npm run <argv>` would, with this project as the cwd. */
  run(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  remove(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Creates a temporary project with a copy of the repository's templates/. */
export async function createProject(files: Record<string, string> = {}): Promise<TempProject> {
  const base = join(TOOL_ROOT, 'tests', '.tmp');
  await mkdir(base, { recursive: true });
  const root = await mkdtemp(join(base, 'project-'));
  await cp(join(TOOL_ROOT, 'templates'), join(root, 'templates'), { recursive: true });
  const project: TempProject = {
    root,
    async write(path, content) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    },
    read: (path) => readFile(join(root, path), 'utf8'),
    run: (argv, env) => runCli(argv, root, env),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const [path, content] of Object.entries(files)) await project.write(path, content);
  return project;
}

/** Runs the CLI in-process with captured output. */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(argv, { stdout, stderr, cwd, env: { ...process.env, ...env }, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

/**
 * Runs the compiled CLI in a child process that file permissions apply to, even as root (the
 * test machines run as root, which reads any file): the child loses the capabilities that
 * override them (setpriv), so a mode-000 file fails with EACCES as it would for a user.
 */
export async function runCliWithPermissions(argv: string[], cwd: string): Promise<CliResult> {
  const { spawn } = await import('node:child_process');
  // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
  const { compile } = (await import('../../scripts/compile.mjs')) as { compile: () => Promise<string> };
  const entry = await compile();
  const script = `const { run } = await import(${JSON.stringify(entry)}); process.exitCode = await run(${JSON.stringify(argv)});`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const command = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', ...node] : node;
  const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  return { code, stdout, stderr };
}

/** A minimal valid brief, with front matter fields merged in. */
export function brief(body = 'Some text.\n', matter: Record<string, string> = {}): string {
  const fields = { title: 'A Test Brief', date: '2024-05-01', ...matter };
  return `---\n${Object.entries(fields).map(([key, value]) => `${key}: ${value}`).join('\n')}\n---\n\n${body}`;
}

/** A CLI command running in this process (watch mode, say), whose output a test can wait on. */
export interface InProcessCli {
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects after `timeoutMs`, or if the command ends first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Aborts the command, as Ctrl-C does, and resolves with its exit code. */
  stop(): Promise<number>;
  done: Promise<number>;
}

/**
 * Starts the CLI in-process, as startCli (spawn.ts) starts it in a child: no second Node to start
 * and load brief into, for tests that need no real signal and no separate process.
 */
export function startInProcess(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): InProcessCli {
  const stream = new PassThrough();
  const abort = new AbortController();
  const watcher = outputWatcher();
  stream.on('data', watcher.append);
  const done = main(argv, { stdout: stream, stderr: stream, cwd, env: { ...process.env, ...env }, signal: abort.signal }).finally(watcher.end);
  return {
    output: watcher.output,
    done,
    stop() {
      abort.abort();
      return done;
    },
    waitFor: watcher.waitFor,
  };
}
