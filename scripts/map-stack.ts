import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An error's stack with each frame in the compiled CLI (…/cli/chunk-X.mjs:line:col) put back at
 * its place in the TypeScript sources, from the source maps beside the chunks. Read only when an
 * internal error is shown: Node's own source-map support parses every chunk's map as it loads,
 * for stacks that are almost never printed (a profile on a loaded machine counted ~0.1 s of a
 * first build; five alternating idle cold builds: 3.17 s against 3.24 s of CPU, within noise).
 */
export function mapStack(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  return stack.replace(/(file:\/\/[^\s()]+\.mjs):(\d+):(\d+)/g, (frame, url: string, line: string, column: string) => {
    let map = maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return frame;
    return `${resolve(dirname(fileURLToPath(url)), entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}
