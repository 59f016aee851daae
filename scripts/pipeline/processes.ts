import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says of a process (Linux): its state (R, S, Z…), parent and process group. */
export interface ProcessStat {
  state: string;
  parent: number;
  group: number;
}

/** A process's state, parent and group from /proc; undefined when it has ended or there is no /proc. */
export function processStat(pid: number): ProcessStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // After the command's closing parenthesis (a command may contain any character): state, parent, group.
  const [state = '', parent, group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, parent: Number(parent), group: Number(group) };
}

/** Every process /proc lists, by id (empty without /proc). */
export function processStats(): Map<number, ProcessStat> {
  const found = new Map<number, ProcessStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat) found.set(Number(entry), stat);
  }
  return found;
}

/** Whether this machine has /proc (Linux): without it, a process's state is not known, only that it exists. */
export function hasProc(): boolean {
  return existsSync('/proc/self/stat');
}

/**
 * Whether a process with this id runs (signal 0 tests without sending anything). One that has
 * exited but is not yet reaped (a zombie: a killed build's Chrome, an orphan init has not got to;
 * seconds on some machines) runs no more and holds nothing: on Linux, /proc says so.
 */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = processStat(pid);
  // Reaped since the signal, where there is a /proc; without one (not Linux), as the signal said.
  return stat ? stat.state !== 'Z' : !hasProc();
}

/**
 * Whether a process group still has a live member: from /proc, where a member that has exited but
 * was not yet reaped counts as gone; without /proc, by signal 0 to the group.
 */
export function groupRunning(group: number): boolean {
  if (!hasProc()) {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const stat of processStats().values()) if (stat.group === group && stat.state !== 'Z') return true;
  return false;
}
