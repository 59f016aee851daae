import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * The processes a benchmark runs (builds, md-to-pdf, watch mode), each the leader of a process
 * group of its own, so that stopping one stops what it started too (npm, the shell, node).
 * `npm run bench` stops them all when it is interrupted (Ctrl-C, SIGTERM), instead of measuring
 * on with orphans.
 */
const running = new Set<ChildProcess>();

export function spawnChild(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Runs a command to completion: its exit code (1 if a signal ended it) and what it printed. */
export function captureChild(command: string, args: string[], options: SpawnOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs a command to completion and gives its output; throws, with what it printed, if it fails. */
export async function runChild(command: string, args: string[], options: SpawnOptions): Promise<{ stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await captureChild(command, args, options);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`);
  return { stdout, stderr };
}

/** Ends every benchmark process still running, with what each started (its process group). */
export function stopChildren(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}
