import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { VFile } from 'vfile';
import { location } from 'vfile-location';
import { report } from './messages.ts';

/** Caps applied while reading, from settings. */
export interface ReadLimits {
  /** Largest accepted source, in bytes. */
  maxBytes: number;
}

/**
 * Reads one Markdown brief into a VFile. Rejects, as an error message with the byte position,
 * what is not a text file in UTF-8: NUL bytes, invalid UTF-8, oversized files. A UTF-8 BOM is
 * dropped; CRLF and mixed line endings are left to the parser, which handles them.
 */
export async function readSource(path: string, limits: ReadLimits): Promise<VFile> {
  const file = new VFile({ path, value: '' });
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`;
    report(file, 'error', `The file ${what}. Check the path and its permissions.`, 'unreadable-file');
    return file;
  }
  file.data.bytes = bytes.length;
  // What this build read, for the manifest: the file may change again while the build runs.
  file.data.sourceHash = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length > limits.maxBytes) {
    report(file, 'error', `The file is ${formatBytes(bytes.length)}, over the limit of ${formatBytes(limits.maxBytes)} for one brief (limits.max_bytes). Split it, or raise the limit in brief.config.yaml.`, 'limit-input-size');
    return file;
  }
  if (bytes.length === 0) {
    report(file, 'error', 'The file is empty. A brief needs front matter with a title and some text.', 'empty-file');
    return file;
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    report(file, 'error', `The file is UTF-16 (it starts with a ${bytes[0] === 0xff ? 'little' : 'big'}-endian byte order mark). Save it as UTF-8.`, 'invalid-utf8', { line: 1, column: 1 });
    return file;
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    report(file, 'error', `The file contains a NUL byte at byte ${nul}: it looks like a binary file, not Markdown text.`, 'binary-file', pointAt(bytes, nul));
    return file;
  }
  const invalid = firstInvalidUtf8(bytes);
  if (invalid !== -1) {
    report(file, 'error', `The file is not valid UTF-8 (bad byte 0x${bytes[invalid]!.toString(16).padStart(2, '0')} at byte ${invalid}). Save it as UTF-8.`, 'invalid-utf8', pointAt(bytes, invalid));
    return file;
  }
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  file.value = bytes.toString('utf8', hasBom ? 3 : 0);
  return file;
}

/** Byte offset of the first byte that breaks UTF-8 decoding, or -1. */
function firstInvalidUtf8(bytes: Buffer): number {
  if (isUtf8(bytes)) return -1;
  // Streaming decode of a prefix fails exactly when the prefix reaches the bad byte, so the
  // longest prefix that still decodes ends just before it.
  let good = 0;
  let bad = bytes.length + 1;
  while (bad - good > 1) {
    const middle = (good + bad) >>> 1;
    if (decodesAsPrefix(bytes.subarray(0, middle))) good = middle;
    else bad = middle;
  }
  // A file that ends inside a character decodes as a prefix: point at that last character.
  const detected = Math.min(good, bytes.length - 1);
  // The decoder notices a broken character at the byte that breaks it; the culprit is the byte
  // that began the character, when the bytes before the detection point are an unfinished one.
  for (let back = 1; back <= 3 && detected - back >= 0; back++) {
    const byte = bytes[detected - back]!;
    if (byte < 0x80) break;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? detected - back : detected;
  }
  return detected;
}

/** Bytes in a UTF-8 character, from its first byte. */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

function decodesAsPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Line and column (1-based, in characters) of a byte offset, from the text before it. */
function pointAt(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.toString('utf8', 0, offset);
  const point = location(before).toPoint(before.length)!;
  return { line: point.line, column: point.column };
}

/** "1.5 MB"-style sizes for messages and summaries. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
