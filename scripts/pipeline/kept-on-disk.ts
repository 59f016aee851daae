import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A temporary file older than this was left by a run that died mid-write (a write takes milliseconds). */
const STALE_TEMP_MS = 10 * 60_000;
const TEMP = /\.\d+(\.[0-9a-f]{12})?\.tmp$/;

/**
 * Work kept between runs, one file per key under a cache folder (node_modules/.cache/brief/…):
 * what a run made once per content (a compiled template, a font subset, a font's character map,
 * a stylesheet read) is read back by the next run instead of made again. A cache only: an entry
 * that is missing, damaged or cannot be written is made again, never an error. Entries are
 * written whole (a temporary file, then a rename), and at most `limit` of them are kept, those
 * written or read last: each new character in watch mode, each template edit, writes one.
 */
export class KeptOnDisk {
  constructor(
    readonly dir: string,
    private readonly options: { suffix: string; limit: number },
  ) {}

  /** The file an entry is kept in: the key's hash, so any text can be a key. */
  path(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}${this.options.suffix}`);
  }

  /** The entry kept for `key`, if any; reading it makes it one of the last used (its time is the one forgetting goes by). */
  read(key: string): Buffer | undefined {
    const path = this.path(key);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // A read-only cache: it is forgotten in the order it was written.
    }
    return data;
  }

  /** Which of entriesCounted's counts is this cache's (caches with different suffixes may share a folder). */
  private get countKey(): string {
    return `${this.dir}\0${this.options.suffix}`;
  }

  /** Keeps `data` for `key`, then forgets the oldest entries over the limit and any temporary file a killed run left. */
  write(key: string, data: string | Uint8Array): void {
    const path = this.path(key);
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temp, data);
      renameSync(temp, path);
      this.forgetOld(path);
    } catch {
      // A read-only or full disk: the next run makes it again.
      try {
        rmSync(temp, { force: true });
      } catch {
        // No folder to remove it from.
      }
    }
  }

  /**
   * Removes the oldest entries over the limit (never `written`, the one just written) and stale
   * temporary files. The folder is listed at this process's first write to it and when its count
   * of the entries reaches the limit, not at every write: listing 1,000 kept subsets for each new
   * one was 1.2 s of a 12 s build of 100 READMEs with the cache full.
   */
  private forgetOld(written: string): void {
    const counted = entriesCounted.get(this.countKey);
    if (counted !== undefined && counted + 1 < this.options.limit) {
      // Counted as new even when it replaced an entry (rare): the count errs high, and listing corrects it.
      entriesCounted.set(this.countKey, counted + 1);
      return;
    }
    const names = readdirSync(this.dir);
    const now = Date.now();
    const entries: { path: string; time: number }[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      if (TEMP.test(name)) {
        const time = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
        if (time !== undefined && now - time > STALE_TEMP_MS) rmSync(path, { force: true });
      } else if (name.endsWith(this.options.suffix) && path !== written) entries.push({ path, time: 0 });
    }
    entriesCounted.set(this.countKey, entries.length + 1);
    if (entries.length < this.options.limit) return;
    // Down to nine tenths of the limit, not to the limit: a full cache then reads its entries'
    // times once every tenth of the limit's writes, not at every write (a statSync of each of
    // 1,000 subsets per new subset was 1.2 s of the test suite's CPU).
    for (const entry of entries) entry.time = statSync(entry.path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    entries.sort((a, b) => b.time - a.time);
    for (const entry of entries.slice(keptAfterPruning(this.options.limit) - 1)) rmSync(entry.path, { force: true });
    entriesCounted.set(this.countKey, Math.min(entries.length + 1, keptAfterPruning(this.options.limit)));
  }
}

/**
 * Entries of each cache (folder and suffix) as this process last listed them, plus those it wrote since. Other
 * processes writing meanwhile are not counted: a folder may pass its limit by what they wrote
 * until this process lists it again.
 */
const entriesCounted = new Map<string, number>();

/** How many entries (the one just written included) a cache at its limit keeps when it forgets the oldest. */
function keptAfterPruning(limit: number): number {
  return Math.max(1, Math.ceil(limit * 0.9));
}

/**
 * What stands for a file's bytes in a key, without reading them: its path, size, modification and
 * change times, inode and device. A rewrite moves mtime (or, kept by a copy that preserves it,
 * ctime and the inode); a chmod or chown moves ctime, so the same identity is the same bytes,
 * readable as before.
 */
export function fileIdentity(path: string, info: { size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number }): string {
  return `${resolve(path)}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0${info.ino}\0${info.dev}`;
}

/** Set by scripts/compile.mjs in the compiled CLI: the stamp of the sources it was compiled from. */
declare const BRIEF_SOURCES_STAMP: string | undefined;

/**
 * The stamp of brief's own code as compiled (the hash of scripts/, compile.mjs): part of the key
 * of entries that brief's code makes (what one version reads in a stylesheet, another may read
 * otherwise) and of every build's run signature (build.ts). Undefined when running from the
 * sources (the tests): no such entry is kept on disk, and build.ts hashes scripts/ itself.
 */
export function codeStamp(): string | undefined {
  return typeof BRIEF_SOURCES_STAMP === 'string' ? BRIEF_SOURCES_STAMP : undefined;
}
