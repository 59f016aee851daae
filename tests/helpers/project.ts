import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../scripts/cli.ts';
import { TOOL_ROOT } from '../../scripts/paths.ts';

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

/** A minimal valid brief, with front matter fields merged in. */
export function brief(body = 'Some text.\n', matter: Record<string, string> = {}): string {
  const fields = { title: 'A Test Brief', date: '2024-05-01', ...matter };
  return `---\n${Object.entries(fields).map(([key, value]) => `${key}: ${value}`).join('\n')}\n---\n\n${body}`;
}
