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

/** A bug in brief itself, not in the user's input: print the stack, exit 1. */
export class InternalError extends BriefError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'internal', options);
  }
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
