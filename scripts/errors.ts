/**
 * Errors that end a command. Problems inside one brief are not errors: they are messages on its
 * VFile (see pipeline/messages.ts), so one bad brief never stops the others.
 */

/** Base class: each error owns its wording and a stable code. */
export class BriefError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line is wrong: print one line and the usage hint, exit 2. */
export class UsageError extends BriefError {
  constructor(message: string) {
    super(message, 'usage');
  }
}

/** The machine lacks something brief needs (Chrome, a tool): say what to install, exit 1. */
export class SetupError extends BriefError {}

/**
 * The machine, not the brief, stops the run: a full disk, a read-only or unwritable output
 * folder, a Chrome that will not start. Reported once, with the path and what to do; exit 1.
 */
export class EnvironmentError extends BriefError {
  /** Wraps a file-system error met while writing `path`; other errors come back unchanged. */
  static fromWrite(error: unknown, path: string): unknown {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const what = code === undefined ? undefined : WRITE_FAILURES[code];
    return what ? new EnvironmentError(`Cannot write ${path}: ${what.reason} (${code}). ${what.todo}`, what.rule, { cause: error }) : error;
  }
}

const WRITE_FAILURES: Record<string, { reason: string; todo: string; rule: string }> = {
  ENOSPC: { reason: 'no space left on the disk', todo: 'Free some space on that disk, or build into a folder on another disk with --out DIR.', rule: 'disk-full' },
  EDQUOT: { reason: 'the disk quota is used up', todo: 'Free some space within the quota, or build into a folder on another disk with --out DIR.', rule: 'disk-full' },
  EFBIG: { reason: 'the file is larger than this disk or the process may write (ulimit -f)', todo: 'Raise the file size limit, or build into a folder on another disk with --out DIR.', rule: 'disk-full' },
  EROFS: { reason: 'the file system is read-only', todo: 'Build into a writable folder with --out DIR (or mount this one read-write).', rule: 'read-only' },
  EACCES: { reason: 'permission denied', todo: 'Make the folder writable for this user, or build into another one with --out DIR.', rule: 'no-permission' },
  EPERM: { reason: 'operation not permitted', todo: 'Make the folder writable for this user, or build into another one with --out DIR.', rule: 'no-permission' },
};

/** The run was stopped (Ctrl-C, SIGTERM, or another brief's fatal error): work in flight ends without blame. */
export class InterruptedError extends BriefError {
  constructor(message = 'Interrupted') {
    super(message, 'interrupted');
  }
}

/** A bug in brief itself, not in the user's input: print the stack, exit 1. */
export class InternalError extends BriefError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'internal', options);
  }
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
