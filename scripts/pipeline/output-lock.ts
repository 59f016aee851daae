import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, InterruptedError } from '../errors.ts';
import { isRunning } from './processes.ts';

/** The lock's file name inside the output folder. */
export const LOCK_NAME = '.brief-lock';
/** How often a waiting build looks whether the lock is free. */
const POLL_MS = 100;

/** Who holds the lock, as written in the lock file. */
interface Holder {
  pid: number;
  host: string;
}

/** Locks held by this process: released on exit, even when it is interrupted. */
const held = new Set<string>();
process.on('exit', () => {
  for (const path of held) rmSync(path, { force: true });
});

/**
 * Takes the output folder for one build: a second build into the same folder (another terminal,
 * watch mode beside `npm run build`) waits here until the first has recorded its briefs, so that
 * neither's records are lost. The lock is a file created exclusively; one left by a process that
 * no longer runs (kill -9) is taken over. `onWait` is told once who is being waited for.
 * Returns the release function, for a `finally`.
 */
export async function lockOutputFolder(outDir: string, options: { signal?: AbortSignal; onWait?: (holder: Holder) => void } = {}): Promise<() => Promise<void>> {
  const path = join(outDir, LOCK_NAME);
  await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
    throw EnvironmentError.fromWrite(error, outDir);
  });
  const me: Holder = { pid: process.pid, host: hostname() };
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError('Interrupted while waiting for another build to finish with the output folder.');
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      held.add(path);
      return async () => {
        held.delete(path);
        // Only our own lock: never one another build took over meanwhile.
        if (sameHolder(await readHolder(path), me)) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw EnvironmentError.fromWrite(error, path);
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (!holder || (holder.host === me.host && !isRunning(holder.pid))) {
      // Left by a build that died (or half-written by one that is starting: then it is recent
      // and it will finish writing it; a lock without a live owner is taken over).
      if (!holder && (await lockAgeMs(path)) < 2000) {
        await delay(POLL_MS, options.signal);
        continue;
      }
      if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await rm(path, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    await delay(POLL_MS, options.signal);
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  return parseHolder((await readFile(path, 'utf8').catch(() => '')) ?? '');
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host } : undefined;
  } catch {
    return undefined;
  }
}

function sameHolder(a: Holder | undefined, b: Holder): boolean {
  return a !== undefined && a.pid === b.pid && a.host === b.host;
}

async function lockAgeMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  return info ? Date.now() - info.mtimeMs : Infinity;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
