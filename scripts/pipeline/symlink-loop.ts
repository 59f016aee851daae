import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';

/**
 * If `path` is a symbolic link that loops, what it points to: a link that resolves to itself
 * through other links (ELOOP), or to a folder that contains it (`loop -> .`), which a watcher
 * following links would descend into forever. Undefined for anything else.
 */
export function symlinkLoop(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  const target = (() => {
    try {
      return readlinkSync(path);
    } catch {
      return '?';
    }
  })();
  try {
    const real = realpathSync(path);
    const parent = realpathSync(dirname(path));
    return parent === real || parent.startsWith(real + sep) ? target : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? target : undefined;
  }
}
