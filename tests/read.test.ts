import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMessage } from '../scripts/pipeline/messages.ts';
import { readSource } from '../scripts/pipeline/read.ts';

let dir: string;
const limits = { maxBytes: 1024 };

async function fileWith(name: string, bytes: Uint8Array | string) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return readSource(path, limits);
}

function only(file: Awaited<ReturnType<typeof readSource>>) {
  expect(file.messages).toHaveLength(1);
  return formatMessage(file.messages[0]!, dir);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brief-read-'));
});

describe('reading a brief', () => {
  // A byte order mark, CRLF and mixed line endings are specified end to end, in a real build, in
  // hostile.test.ts ("encodings, in one real build"): the title is read and no U+FEFF reaches the output.

  it('rejects a NUL byte with its line, column and byte offset', async () => {
    const file = await fileWith('nul.md', 'line one\nab\0cd\n');
    expect(only(file)).toBe('nul.md:2:3 error The file contains a NUL byte at byte 11: it looks like a binary file, not Markdown text. (binary-file)');
  });

  it('rejects invalid UTF-8 and names the bad byte', async () => {
    const file = await fileWith('latin1.md', Buffer.from('title: caf\xe9\n', 'latin1'));
    expect(only(file)).toBe('latin1.md:1:11 error The file is not valid UTF-8 (bad byte 0xe9 at byte 10). Save it as UTF-8. (invalid-utf8)');
  });

  it('rejects a file cut off inside a character', async () => {
    const file = await fileWith('cut.md', Buffer.from([0x61, 0xe6, 0x97]));
    expect(only(file)).toMatch(/^cut\.md:1:\d+ error The file is not valid UTF-8 .*\(invalid-utf8\)$/);
  });

  it('rejects an empty file', async () => {
    expect(only(await fileWith('empty.md', ''))).toBe('empty.md:1:1 error The file is empty. A brief needs front matter with a title and some text. (empty-file)');
  });

  it('rejects a file over the size limit and says which limit', async () => {
    const file = await fileWith('big.md', 'x'.repeat(2048));
    expect(only(file)).toBe('big.md:1:1 error The file is 2.0 KB, over the limit of 1.0 KB for one brief (limits.max_bytes). Split it, or raise the limit in brief.config.yaml. (limit-input-size)');
  });

  it('reports a file that does not exist', async () => {
    const file = await readSource(join(dir, 'missing.md'), limits);
    expect(only(file)).toBe('missing.md:1:1 error The file does not exist. Check the path and its permissions. (unreadable-file)');
  });
});
