import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process runs: an exited one that init has not reaped yet (a zombie) does not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** Waits (up to a bound) for a process to be gone: init reaps an orphan's exit a moment later. */
export async function gone(pid: number, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; isAlive(pid) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
}

/** Every process below `root` (by parent pid), read from /proc. */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while we looked.
    }
  }
  const below = (pid: number) => {
    for (let up = parent.get(pid); up !== undefined && up > 0; up = parent.get(up)) if (up === root) return true;
    return false;
  };
  return [...parent.keys()].filter(below);
}

/** A process's command line, words joined by spaces; undefined once it has ended (Chrome's helpers come and go). */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}
