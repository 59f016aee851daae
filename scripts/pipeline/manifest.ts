import { createHash } from 'node:crypto';
import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { VFile } from 'vfile';
// The small build of the schema library: a build that changes nothing loads this and no more.
import * as z from 'zod/mini';
import { fileIdentity, KeptOnDisk } from './kept-on-disk.ts';
import { report } from './messages.ts';
import type { Format } from './settings.ts';
import { writeFileAtomic } from './write.ts';

import { MANIFEST_NAME, TOOL_ROOT } from '../paths.ts';

export { MANIFEST_NAME };
const VERSION = 3;

/**
 * A file changed this recently may change again within the file system's clock tick without its
 * size or mtime moving (git's "racy" entries): its hash is not cached, so it is read next time.
 */
const RACY_MS = 2000;
/** Recorded for an input that changed while the build read it: it never matches, so the brief is rebuilt. */
const CHANGED_DURING_BUILD = 'changed-during-build';

const storedMessageSchema = z.object({
  reason: z.string(),
  ruleId: z.optional(z.string()),
  fatal: z.optional(z.nullable(z.boolean())),
  line: z.optional(z.number()),
  column: z.optional(z.number()),
  endLine: z.optional(z.number()),
  endColumn: z.optional(z.number()),
  /** The file the message is about, when not the brief itself (a template), relative to the project. */
  file: z.optional(z.string()),
  /** 'brief' for the build's own messages, 'brief-check' for those of `npm run check`. */
  source: z.optional(z.string()),
});

const entrySchema = z.object({
  /** Every input but the run-wide ones: the source, template files, images, fonts. Path → hash of the bytes the build read. */
  inputs: z.record(z.string(), z.string()),
  /** Every output written. Path → hash of the bytes written. */
  outputs: z.record(z.string(), z.string()),
  /** Whether the PDF had a table of contents (the handout follows it). */
  toc: z.optional(z.boolean()),
  /** Files whose existence (not content) the build looked at: briefs linked to. Path → existed. */
  probes: z.optional(z.record(z.string(), z.boolean())),
  /** The build also ran the checks of `npm run check`. */
  checked: z.optional(z.boolean()),
  /** Pages of the PDF. */
  pages: z.optional(z.number()),
  /** Its messages (warnings: a brief with errors is not recorded). */
  messages: z.optional(z.array(storedMessageSchema)),
});

const listingSchema = z.object({
  /** "asia/japan": where its outputs are under the output folder. */
  id: z.string(),
  /** Its outputs, relative to the project. */
  html: z.string(),
  pdf: z.string(),
  title: z.string(),
  lang: z.string(),
  date: z.nullable(z.string()),
  summary: z.nullable(z.string()),
  /** Sources of the editions it links to with `translations:`, relative to the project. */
  translations: z.array(z.string()),
});

const indexRecordSchema = z.object({
  /** Hash of everything the index shows besides its template: the briefs, their listings, their outputs' sizes, the settings it names. */
  key: z.string(),
  /** The _index template's files (and what they embed). Path → hash of the bytes read. */
  inputs: z.record(z.string(), z.string()),
  /** output/index.html, relative to the project. */
  output: z.string(),
  /** Hash of the bytes written to it. */
  hash: z.string(),
});

const manifestSchema = z.object({
  version: z.literal(VERSION),
  /** Hash of what every brief depends on: the tool's code and dependencies, the config, the environment. */
  run: z.string(),
  briefs: z.record(z.string(), entrySchema),
  /** What output/index.html shows of every brief built into this folder, by any build. */
  listings: z.record(z.string(), listingSchema),
  /** size/mtime → hash, so unchanged files are not read again (as git's index does). */
  stats: z.record(z.string(), z.object({ size: z.number(), mtimeMs: z.number(), ctimeMs: z.optional(z.number()), hash: z.string() })),
  /** What output/index.html was last rendered from (absent: render it). */
  index: z.optional(indexRecordSchema),
});

/** A message of a brief's last build, kept so an up-to-date brief still reports it. */
export type StoredMessage = z.infer<typeof storedMessageSchema>;
/** What one brief's last successful build read and wrote, by content hash. */
export type ManifestEntry = z.infer<typeof entrySchema>;
/** What the index shows of a brief, recorded when it was built (stored relative to the project, handed out absolute). */
export type Listing = z.infer<typeof listingSchema>;
type ManifestFile = z.infer<typeof manifestSchema>;

/** What else a successful build leaves to remember. */
export interface RecordExtras {
  toc?: boolean;
  pages?: number;
  probes?: string[];
  checked?: boolean;
  messages?: StoredMessage[];
}

/** What a brief's build read: the source's bytes by hash, and when it started reading the rest. */
export interface ReadRecord {
  /** SHA-256 of the source bytes the build read (undefined: unknown, so never up to date). */
  sourceHash: string | undefined;
  /** Date.now() when the build started: an input modified after this may differ from what was read. */
  startedAt: number;
}

/**
 * The record that makes `npm run build` incremental: a brief is up to date when the run-wide hash
 * is the same, every input it read last time still has the same content, and every output it
 * wrote is still there with the bytes it wrote (so deleting or hand-editing an output rebuilds it).
 * What is recorded is what the build read (the source's bytes as read; any other input that
 * changed while the build ran is recorded as changed), never what is on disk afterwards. Paths
 * are stored relative to the project; contents are compared by SHA-256, with a size and mtime
 * cache in front so a no-change build reads almost nothing. The file is validated like any
 * input: one of the wrong shape is a missing one, with a warning.
 */
export class Manifest {
  /** The manifest as a file: a warning on it when what was on disk was not a valid manifest. */
  file: VFile;
  /** The text last read from or written to the file: saving the same text again writes nothing. */
  private text: string | undefined;

  private constructor(
    private readonly path: string,
    private readonly root: string,
    private data: ManifestFile,
    readonly run: string,
  ) {
    this.file = new VFile({ path });
  }

  /** Reads output/.brief-manifest.json; a missing, old or invalid one is an empty manifest. */
  static async load(outDir: string, root: string, run: string): Promise<Manifest> {
    const manifest = new Manifest(join(outDir, MANIFEST_NAME), root, empty(run), run);
    await manifest.reload();
    return manifest;
  }

  /** Reads the file again (another build may have written it since); warns when it is not a valid manifest. */
  async reload(): Promise<void> {
    this.file = new VFile({ path: this.path });
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    this.text = text;
    let data = empty(this.run);
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        parsed = error;
      }
      const version = (parsed as { version?: unknown } | null)?.version;
      // An older brief's manifest is expected after an upgrade: silently out of date.
      const older = typeof version === 'number' && version < VERSION;
      const checked = manifestSchema.safeParse(parsed);
      if (checked.success) data = checked.data;
      else if (!older) {
        const issue = parsed instanceof Error ? `it is not JSON (${parsed.message})` : describeIssue(checked.error.issues[0]);
        report(this.file, 'warning', `This is not a manifest brief wrote: ${issue}. It is treated as missing, so every brief is built again, and it is replaced.`, 'invalid-manifest');
      }
    }
    // A different tool, config or environment makes every recorded build stale at once; what the
    // index shows of each brief and the hash cache stay true.
    if (data.run !== this.run) data = { ...data, run: this.run, briefs: {}, index: undefined };
    this.data = data;
  }

  /** The entry of a brief's last successful build, if any. */
  entry(source: string): ManifestEntry | undefined {
    return this.data.briefs[this.key(source)];
  }

  /**
   * True when the brief's recorded inputs and outputs (for these formats) are all unchanged, the
   * files it linked to still exist or not as they did, and, if `checked` is asked for, its last
   * build ran the checks.
   */
  async isUpToDate(source: string, outputs: Record<Format, string>, formats: ReadonlySet<Format>, options: { checked?: boolean } = {}): Promise<boolean> {
    const entry = this.entry(source);
    if (!entry) return false;
    if (options.checked && !entry.checked) return false;
    for (const [path, existed] of Object.entries(entry.probes ?? {})) {
      const exists = (await stat(this.absolute(path)).catch(() => undefined)) !== undefined;
      if (exists !== existed) return false;
    }
    for (const format of formats) {
      const path = this.key(outputs[format]);
      if (!(path in entry.outputs)) return false;
    }
    const checks = [...Object.entries(entry.inputs), ...Object.entries(entry.outputs)];
    for (const [path, hash] of checks) {
      if ((await this.hash(this.absolute(path))) !== hash) return false;
    }
    return true;
  }

  /**
   * Records a brief's successful build: the source by the hash of the bytes the build read, the
   * other inputs by their hash now unless they changed after the build started, and the hashes
   * of the outputs it wrote.
   */
  async record(source: string, read: ReadRecord, inputs: string[], outputs: Record<string, string>, extras: RecordExtras = {}): Promise<void> {
    const entry: ManifestEntry = { inputs: {}, outputs: {}, toc: extras.toc, pages: extras.pages, checked: extras.checked, messages: extras.messages };
    if (extras.probes?.length) {
      entry.probes = {};
      for (const probe of extras.probes) entry.probes[this.key(probe)] = (await stat(probe).catch(() => undefined)) !== undefined;
    }
    entry.inputs[this.key(source)] = read.sourceHash ?? CHANGED_DURING_BUILD;
    // Its size and mtime stand for the bytes read when it was not modified since the build
    // started (nor within the racy window): the next build need not read it again to know that.
    const sourceInfo = read.sourceHash ? await stat(source).catch(() => undefined) : undefined;
    if (read.sourceHash && sourceInfo?.isFile() && sourceInfo.mtimeMs < read.startedAt && Date.now() - sourceInfo.mtimeMs > RACY_MS) {
      this.data.stats[this.key(source)] = { size: sourceInfo.size, mtimeMs: sourceInfo.mtimeMs, ctimeMs: sourceInfo.ctimeMs, hash: read.sourceHash };
    }
    for (const input of new Set(inputs)) {
      if (this.key(input) === this.key(source)) continue;
      const info = await stat(input).catch(() => undefined);
      // Changed after the build started: what it read is unknown, so the next build reads it again.
      // (An mtime is stamped from a clock that lags by up to a tick, never leads: a file saved
      // before the build started is never taken for one changed during it; one saved in the tick
      // the build started was saved before the build read it, milliseconds later.)
      entry.inputs[this.key(input)] = info && info.mtimeMs >= read.startedAt ? CHANGED_DURING_BUILD : await this.hash(input);
    }
    for (const [path, hash] of Object.entries(outputs)) {
      entry.outputs[this.key(path)] = hash;
      const info = await stat(path).catch(() => undefined);
      if (info) this.data.stats[this.key(path)] = { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, hash };
    }
    this.data.briefs[this.key(source)] = entry;
  }

  /** Records what the index shows of a brief (whenever its front matter was read, built or not). */
  list(source: string, listing: Listing): void {
    // A copy: the front matter's strings are slices of the brief's source, which they would keep alive.
    this.data.listings[this.key(source)] = structuredClone({ ...listing, html: this.key(listing.html), pdf: this.key(listing.pdf), translations: listing.translations.map((path) => this.key(path)) });
  }

  /** Every brief any build recorded in this output folder, by absolute source path (paths absolute too). */
  listings(): Map<string, Listing> {
    return new Map(
      Object.entries(this.data.listings).map(([source, listing]) => [
        this.absolute(source),
        { ...listing, html: this.absolute(listing.html), pdf: this.absolute(listing.pdf), translations: listing.translations.map((path) => this.absolute(path)) },
      ]),
    );
  }

  /**
   * Forgets the briefs whose source is gone (deleted, or its folder renamed) and removes their
   * outputs: only files this manifest says brief wrote, and only if they still hold what brief
   * wrote; folders left empty go too. Returns the ids of the briefs removed.
   */
  async prune(outDir: string): Promise<string[]> {
    const removed: string[] = [];
    const sources = new Set([...Object.keys(this.data.briefs), ...Object.keys(this.data.listings)]);
    for (const source of sources) {
      const gone = await stat(this.absolute(source)).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === 'ENOENT' || error.code === 'ENOTDIR',
      );
      if (!gone) continue;
      const outputs = this.data.briefs[source]?.outputs ?? {};
      for (const [path, hash] of Object.entries(outputs)) {
        const absolute = this.absolute(path);
        if ((await this.hash(absolute)) !== hash) continue;
        await rm(absolute, { force: true });
        await removeEmptyFolders(dirname(absolute), outDir);
      }
      removed.push(this.data.listings[source]?.id ?? source);
      delete this.data.briefs[source];
      delete this.data.listings[source];
    }
    return removed;
  }

  /** Sources of the briefs whose last build read `path` (a template file, an image, a font…). */
  dependents(path: string): string[] {
    const key = this.key(path);
    return Object.entries(this.data.briefs)
      .filter(([, entry]) => key in entry.inputs)
      .map(([source]) => this.absolute(source));
  }

  /** Sources of the briefs whose last build read any file inside `dir`. */
  dependentsUnder(dir: string): string[] {
    const prefix = `${this.key(dir)}/`;
    return Object.entries(this.data.briefs)
      .filter(([, entry]) => Object.keys(entry.inputs).some((input) => input.startsWith(prefix)))
      .map(([source]) => this.absolute(source));
  }

  /** Forgets a brief's build (it failed, so its outputs are not known to match its inputs). */
  forget(source: string): void {
    delete this.data.briefs[this.key(source)];
  }

  /**
   * True when output/index.html was rendered with this `key` from _index files that still hold
   * the bytes it read, and still holds the bytes written to it.
   */
  async isIndexUpToDate(key: string, indexPath: string): Promise<boolean> {
    const record = this.data.index;
    if (!record || record.key !== key || record.output !== this.key(indexPath)) return false;
    for (const [path, hash] of [...Object.entries(record.inputs), [record.output, record.hash] as const]) {
      if ((await this.hash(this.absolute(path))) !== hash) return false;
    }
    return true;
  }

  /**
   * Records what output/index.html was rendered from: `key`, and the template files it read
   * (by their hash now, unless they changed after `startedAt`: then it is rendered again next
   * time), and the bytes it holds.
   */
  async recordIndex(key: string, inputs: string[], startedAt: number, indexPath: string, hash: string): Promise<void> {
    const record = { key, inputs: {} as Record<string, string>, output: this.key(indexPath), hash };
    for (const input of new Set(inputs)) {
      const info = await stat(input).catch(() => undefined);
      record.inputs[this.key(input)] = info && info.mtimeMs >= startedAt ? CHANGED_DURING_BUILD : await this.hash(input);
    }
    const info = await stat(indexPath).catch(() => undefined);
    if (info) this.data.stats[record.output] = { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, hash };
    this.data.index = record;
  }

  /** Forgets the index's record: the next build renders it. */
  forgetIndex(): void {
    this.data.index = undefined;
  }

  /**
   * Writes the manifest (atomically), dropping cached stats of files no entry mentions; a
   * manifest that holds what the file already holds (a build that changed nothing) is not written.
   */
  async save(): Promise<void> {
    const index = this.data.index ? [...Object.keys(this.data.index.inputs), this.data.index.output] : [];
    const used = new Set([...Object.values(this.data.briefs).flatMap((entry) => [...Object.keys(entry.inputs), ...Object.keys(entry.outputs)]), ...index]);
    this.data.stats = Object.fromEntries(Object.entries(this.data.stats).filter(([path]) => used.has(path)));
    const text = `${JSON.stringify(this.data, null, 1)}\n`;
    if (text === this.text) return;
    await writeFileAtomic(this.path, text);
    this.text = text;
  }

  /** A file's content hash, "missing" if it does not exist; read only when its size or mtime changed. */
  async hash(path: string): Promise<string> {
    const key = this.key(path);
    const info = await stat(path).catch(() => undefined);
    if (!info || !info.isFile()) return info?.isDirectory() ? 'directory' : 'missing';
    const cached = this.data.stats[key];
    // ctime too: a change of permissions (a file that became unreadable, or readable again) keeps mtime.
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs && cached.ctimeMs === info.ctimeMs) return cached.hash;
    const settled = Date.now() - info.mtimeMs > RACY_MS;
    const shared = settled && info.size >= LARGE_FILE ? fileIdentity(path, info) : undefined;
    let hash = shared === undefined ? undefined : keptLargeFileHash(shared);
    if (hash === undefined) {
      // A file the build could not read (permissions) was reported as such; once readable, its hash differs.
      const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EACCES' || error.code === 'EPERM') return undefined;
        throw error;
      });
      if (!bytes) return 'unreadable';
      hash = sha256(bytes);
      if (shared !== undefined) largeHashesOnDisk.write(shared, hash);
    }
    if (settled) this.data.stats[key] = { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, hash };
    else delete this.data.stats[key];
    return hash;
  }

  private key(path: string): string {
    return relative(this.root, resolve(this.root, path)).split('\\').join('/');
  }

  private absolute(key: string): string {
    return isAbsolute(key) ? key : resolve(this.root, key);
  }
}

function empty(run: string): ManifestFile {
  return { version: VERSION, run, briefs: {}, listings: {}, stats: {} };
}

/** A schema problem in words: where in the file, what was found. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'its shape is wrong';
  const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the top level';
  const what = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code === 'invalid_value' ? `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}` : 'a value of the wrong shape';
  return `at ${where}, ${what}`;
}

/** Removes `dir` and its parents while they are empty, up to (not including) `stop`. */
async function removeEmptyFolders(dir: string, stop: string): Promise<void> {
  for (let current = dir; current.startsWith(stop + sep) && current !== stop; current = dirname(current)) {
    const entries = await readdir(current).catch(() => undefined);
    if (!entries || entries.length > 0) return;
    await rmdir(current).catch(() => undefined);
  }
}

/**
 * Large inputs (a template's fonts: 30 MB in all, 7.7 MB the largest) are the same files for every
 * project on the machine: their hashes are kept on disk (a read of 64 bytes), by the file's identity
 * (kept-on-disk.ts fileIdentity), so that a project's first build (no manifest yet) does not read and hash them again.
 * In the test suite, which makes a project per test, they had been hashed 85 times each (2.5 GB).
 */
const LARGE_FILE = 256 * 1024;
const largeHashesOnDisk = new KeptOnDisk(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'hashes'), { suffix: '.txt', limit: 1000 });

function keptLargeFileHash(key: string): string | undefined {
  const kept = largeHashesOnDisk.read(key)?.toString();
  return kept && /^[0-9a-f]{64}$/.test(kept) ? kept : undefined;
}

/** SHA-256 of bytes or text, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A brief's messages as the manifest keeps them. */
export function storeMessages(file: VFile, root: string): StoredMessage[] {
  return file.messages.map((message) => ({
    reason: message.reason,
    ruleId: message.ruleId,
    fatal: message.fatal,
    line: message.line,
    column: message.column,
    endLine: message.place && 'end' in message.place ? message.place.end.line : undefined,
    endColumn: message.place && 'end' in message.place ? message.place.end.column : undefined,
    file: message.file && message.file !== file.path ? relative(root, message.file) : undefined,
    source: message.source,
  }));
}

/** Puts kept messages back on a brief's file (those of `sources` only). */
export function restoreMessages(file: VFile, stored: StoredMessage[], root: string, sources: ReadonlySet<string>): void {
  for (const kept of stored) {
    if (!sources.has(kept.source ?? 'brief')) continue;
    const start = { line: kept.line ?? 1, column: kept.column ?? 1 };
    const place = kept.endLine ? { start, end: { line: kept.endLine, column: kept.endColumn ?? 1 } } : start;
    const message = file.message(kept.reason, { place, ruleId: kept.ruleId, source: kept.source });
    message.fatal = kept.fatal;
    if (kept.file) message.file = resolve(root, kept.file);
  }
}
