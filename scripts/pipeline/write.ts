import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { isRunning } from './processes.ts';

/** Temporary files are named `.<name>.<pid>.<random>.brief-tmp` beside their target. */
const TEMP_SUFFIX = '.brief-tmp';
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{12}\.brief-tmp$/;
/** A temporary file older than this is stale whoever wrote it (a write takes milliseconds). */
const STALE_AFTER_MS = 10 * 60_000;

/** Temporary files being written now; removed on exit, even when the build is interrupted. */
const inFlight = new Set<string>();
process.on('exit', () => {
  for (const temp of inFlight) rmSync(temp, { force: true });
});

/**
 * Writes a file so that readers only ever see the old or the new contents: the bytes go to a
 * temporary file in the same folder, which is then renamed over the target (atomic on POSIX).
 * On failure the temporary file is removed and the old output is untouched; a full disk or an
 * unwritable folder is an EnvironmentError naming the path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  // A full disk or a read-only folder is the machine's problem, not a bug: say where and what to do.
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw EnvironmentError.fromWrite(error, dir);
  });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  inFlight.add(temp);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw EnvironmentError.fromWrite(error, path);
  } finally {
    inFlight.delete(temp);
  }
}

/**
 * Removes temporary files a killed build left behind in `dir` and its subfolders (a SIGKILL
 * between write and rename cannot clean up after itself): those whose writer is no longer
 * running, and any older than ten minutes. A build running beside this one keeps its own.
 * Returns how many were removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  const now = Date.now();
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(entry.parentPath, entry.name);
    const writer = Number(TEMP_NAME.exec(entry.name)?.[1]);
    const info = await stat(path).catch(() => undefined);
    if (info && (!isRunning(writer) || now - info.mtimeMs > STALE_AFTER_MS)) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
