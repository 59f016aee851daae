import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { groupRunning } from '../pipeline/processes.ts';

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

/** Set once stopChildren has run: settles when every process of the groups it stopped is gone. */
let stopped: Promise<void> | undefined;

/**
 * Ends every benchmark process still running, with what each started (its process group). The
 * group leader (npm, a shell) may exit before the build under it has finished stopping, and that
 * build still writes into the benchmark's project as it stops: childrenStopped() waits for the
 * whole group.
 */
export function stopChildren(): void {
  const groups = [...running].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  for (const group of groups) signalGroup(group, 'SIGTERM');
  stopped = waitForGroups(groups);
}

/** Settles once every process stopChildren stopped is gone (at once if it has not run). */
export function childrenStopped(): Promise<void> {
  return stopped ?? Promise.resolve();
}

/** Waits for the groups to empty: 5 s after SIGTERM, then SIGKILL and 5 s more. */
async function waitForGroups(groups: number[]): Promise<void> {
  for (const signal of [undefined, 'SIGKILL'] as const) {
    if (signal) for (const group of groups) signalGroup(group, signal);
    for (const deadline = Date.now() + 5000; groups.some(groupRunning) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!groups.some(groupRunning)) return;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // Already gone.
  }
}
