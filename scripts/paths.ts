// Where brief itself lives: its package.json, its node_modules (fonts, Chrome helpers).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The tool's own folder (not the project's): package.json with its version, node_modules. */
export const TOOL_ROOT = findToolRoot(import.meta.dirname);

/** The nearest folder upwards whose package.json is brief's own (works from source and from a bundle). */
function findToolRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'brief') return dir;
    } catch {
      // No package.json here: keep climbing.
    }
    if (dirname(dir) === dir) return resolve(start, '..');
  }
}

let version: string | undefined;

/** The tool's version from its package.json. */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(join(TOOL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** The manifest's file name inside an output folder (manifest.ts): its absence means a first build. */
export const MANIFEST_NAME = '.brief-manifest.json';
