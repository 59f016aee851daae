import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { UsageError } from '../errors.ts';
import type { Settings } from './settings.ts';

/** One brief to build: its source and where its outputs go. */
export interface BriefJob {
  source: string;
  /** Path without extension relative to its base folder, with "/" separators: "asia/japan". */
  id: string;
  outputs: { html: string; pdf: string };
}

/** Files that live among briefs without being briefs. */
const IGNORED = /^(readme|changelog|license)\.md$/i;

/**
 * Lists the briefs the inputs name: Markdown files given directly, and every `.md` under given
 * folders, at any depth (skipping dot-folders, `_`-prefixed files and README/CHANGELOG/LICENSE).
 * Outputs mirror the tree under source/ (or under the folder given). Sorted by id, so the order
 * and the shards are the same on every machine.
 */
export async function findBriefs(settings: Settings): Promise<BriefJob[]> {
  const jobs = new Map<string, BriefJob>();
  for (const input of settings.inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new UsageError(`No such file or folder: ${relative(settings.root, input) || input}`);
    if (info.isDirectory()) {
      const base = isInside(input, settings.sourceDir) ? settings.sourceDir : input;
      for (const source of await markdownFiles(input)) add(jobs, settings, source, base);
    } else if (input.toLowerCase().endsWith('.md')) {
      add(jobs, settings, input, isInside(input, settings.sourceDir) ? settings.sourceDir : dirname(input));
    } else {
      throw new UsageError(`Not a Markdown file: ${relative(settings.root, input)}. Briefs are .md files.`);
    }
  }
  return [...jobs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function add(jobs: Map<string, BriefJob>, settings: Settings, source: string, base: string): void {
  const id = relative(base, source).replace(/\.md$/i, '').split(sep).join('/');
  const out = join(settings.outDir, ...id.split('/'));
  jobs.set(source, { source, id, outputs: { html: `${out}.html`, pdf: `${out}.pdf` } });
}

async function markdownFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await markdownFiles(path)));
    // Symbolic links count too, broken ones included, so that reading them reports the problem.
    else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith('.md') && !entry.name.startsWith('_') && !IGNORED.test(entry.name)) found.push(path);
  }
  return found;
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + sep);
}

