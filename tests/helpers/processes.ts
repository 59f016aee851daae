import { readFileSync } from 'node:fs';
import { isRunning, processStats } from '../../scripts/pipeline/processes.ts';

/** Whether a process runs: an exited one that init has not reaped yet (a zombie) does not (the build's own test). */
export const isAlive = isRunning;

/** Waits (up to a bound) for a process to be gone: init reaps an orphan's exit a moment later. */
export async function gone(pid: number, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; isAlive(pid) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
}

/** Every process below `root` (by parent pid), read from /proc. */
export function descendantsOf(root: number): number[] {
  const stats = processStats();
  const below = (pid: number) => {
    for (let up = stats.get(pid)?.parent; up !== undefined && up > 0; up = stats.get(up)?.parent) if (up === root) return true;
    return false;
  };
  return [...stats.keys()].filter(below);
}

/** A process's command line, words joined by spaces; undefined once it has ended (Chrome's helpers come and go). */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}
