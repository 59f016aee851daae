import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { VFile } from 'vfile';
import type { Format } from './settings.ts';
import { writeFileAtomic } from './write.ts';

/** The manifest's file name inside the output folder. */
export const MANIFEST_NAME = '.brief-manifest.json';
const VERSION = 2;

/** A message of a brief's last build, kept so an up-to-date brief still reports it. */
export interface StoredMessage {
  reason: string;
  ruleId: string | undefined;
  fatal: boolean | null | undefined;
  line: number | undefined;
  column: number | undefined;
  endLine: number | undefined;
  endColumn: number | undefined;
  /** The file the message is about, when not the brief itself (a template), relative to the project. */
  file: string | undefined;
  /** 'brief' for the build's own messages, 'brief-check' for those of `npm run check`. */
  source: string | undefined;
}

/** What one brief's last successful build read and wrote, by content hash. */
export interface ManifestEntry {
  /** Every input but the run-wide ones: the source, template files, images, fonts. Path → hash. */
  inputs: Record<string, string>;
  /** Every output written. Path → hash of the bytes written. */
  outputs: Record<string, string>;
  /** Whether the PDF had a table of contents (the handout follows it). */
  toc?: boolean;
  /** Files whose existence (not content) the build looked at: briefs linked to. Path → existed. */
  probes?: Record<string, boolean>;
  /** The build also ran the checks of `npm run check`. */
  checked?: boolean;
  /** Pages of the PDF. */
  pages?: number;
  /** Its messages (warnings: a brief with errors is not recorded). */
  messages?: StoredMessage[];
}

/** What else a successful build leaves to remember. */
export interface RecordExtras {
  toc?: boolean;
  pages?: number;
  probes?: string[];
  checked?: boolean;
  messages?: StoredMessage[];
}

interface ManifestFile {
  version: number;
  /** Hash of what every brief depends on: the tool's code and dependencies, the config, the environment. */
  run: string;
  briefs: Record<string, ManifestEntry>;
  /** size/mtime → hash, so unchanged files are not read again (as git's index does). */
  stats: Record<string, { size: number; mtimeMs: number; hash: string }>;
}

/**
 * The record that makes `npm run build` incremental: a brief is up to date when the run-wide hash
 * is the same, every input it read last time still has the same content, and every output it
 * wrote is still there with the bytes it wrote (so deleting or hand-editing an output rebuilds it).
 * Paths are stored relative to the project; contents are compared by SHA-256, with a size and
 * mtime cache in front so a no-change build reads almost nothing.
 */
export class Manifest {
  private constructor(
    private readonly path: string,
    private readonly root: string,
    private data: ManifestFile,
    readonly run: string,
  ) {}

  /** Reads output/.brief-manifest.json; a missing, old or unreadable one is an empty manifest. */
  static async load(outDir: string, root: string, run: string): Promise<Manifest> {
    const path = join(outDir, MANIFEST_NAME);
    let data: ManifestFile = { version: VERSION, run, briefs: {}, stats: {} };
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as ManifestFile;
      if (parsed.version === VERSION && parsed.briefs && parsed.stats) data = parsed;
    } catch {
      // First build, or a manifest from another version: everything is out of date.
    }
    // A different tool, config or environment makes every recorded build stale at once.
    if (data.run !== run) data = { version: VERSION, run, briefs: {}, stats: data.stats };
    return new Manifest(path, root, data, run);
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

  /** Records a brief's successful build: the inputs it read (hashed now) and the hashes of the outputs it wrote. */
  async record(source: string, inputs: string[], outputs: Record<string, string>, extras: RecordExtras = {}): Promise<void> {
    const entry: ManifestEntry = { inputs: {}, outputs: {}, toc: extras.toc, pages: extras.pages, checked: extras.checked, messages: extras.messages };
    if (extras.probes?.length) {
      entry.probes = {};
      for (const probe of extras.probes) entry.probes[this.key(probe)] = (await stat(probe).catch(() => undefined)) !== undefined;
    }
    for (const input of new Set([source, ...inputs])) entry.inputs[this.key(input)] = await this.hash(input);
    for (const [path, hash] of Object.entries(outputs)) {
      entry.outputs[this.key(path)] = hash;
      const info = await stat(path).catch(() => undefined);
      if (info) this.data.stats[this.key(path)] = { size: info.size, mtimeMs: info.mtimeMs, hash };
    }
    this.data.briefs[this.key(source)] = entry;
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

  /** Forgets a brief (it failed, so its outputs are not known to match its inputs). */
  forget(source: string): void {
    delete this.data.briefs[this.key(source)];
  }

  /** Writes the manifest (atomically), dropping cached stats of files no entry mentions. */
  async save(): Promise<void> {
    const used = new Set(Object.values(this.data.briefs).flatMap((entry) => [...Object.keys(entry.inputs), ...Object.keys(entry.outputs)]));
    this.data.stats = Object.fromEntries(Object.entries(this.data.stats).filter(([path]) => used.has(path)));
    await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 1)}\n`);
  }

  /** A file's content hash, "missing" if it does not exist; read only when its size or mtime changed. */
  async hash(path: string): Promise<string> {
    const key = this.key(path);
    const info = await stat(path).catch(() => undefined);
    if (!info || !info.isFile()) return info?.isDirectory() ? 'directory' : 'missing';
    const cached = this.data.stats[key];
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.hash;
    const hash = sha256(await readFile(path));
    this.data.stats[key] = { size: info.size, mtimeMs: info.mtimeMs, hash };
    return hash;
  }

  private key(path: string): string {
    return relative(this.root, resolve(this.root, path)).split('\\').join('/');
  }

  private absolute(key: string): string {
    return isAbsolute(key) ? key : resolve(this.root, key);
  }
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
