import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { TOOL_ROOT } from '../../scripts/paths.ts';

/** A CLI run in a child process (`npm run <argv>` without npm), whose output a test can wait on. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects after `timeoutMs`, or if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Output that a test waits on: chunks are appended as a command writes them; `waitFor` resolves
 * as soon as the output matches (an event, never a guess at timing) and rejects if the command
 * ends first or `timeoutMs` passes. Shared by startCli (a child) and startInProcess (project.ts).
 */
export function outputWatcher() {
  let output = '';
  let ended = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  return {
    output: () => output,
    append(chunk: Buffer | string) {
      output += chunk.toString();
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) finish(() => resolve(match));
          else if (ended) finish(() => reject(new Error(`Ended before ${pattern} appeared. Output:\n${output}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${pattern} did not appear within ${timeoutMs} ms. Output:\n${output}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Starts scripts/bootstrap.mjs with `argv` in `cwd`, as `npm run` would. */
export function startCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [join(TOOL_ROOT, 'scripts', 'bootstrap.mjs'), ...argv], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const watcher = outputWatcher();
  child.stdout.on('data', watcher.append);
  child.stderr.on('data', watcher.append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      watcher.end();
      resolve({ code, signal });
    }),
  );
  return { child, output: watcher.output, exited, waitFor: watcher.waitFor };
}
