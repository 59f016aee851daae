import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from '../scripts/pipeline/write.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brief-write-'));
});

describe('writing outputs', () => {
  it('replaces a file with its new contents and leaves nothing else', async () => {
    await writeFile(join(dir, 'a.html'), 'old');
    await writeFileAtomic(join(dir, 'a.html'), 'new');
    expect(await readFile(join(dir, 'a.html'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.html']);
  });

  it('keeps the old output and removes its temporary file when the write fails', async () => {
    // The target is a folder: the rename over it fails after the temporary file was written.
    await mkdir(join(dir, 'b.pdf'));
    await writeFile(join(dir, 'b.pdf', 'inside'), 'old');
    await expect(writeFileAtomic(join(dir, 'b.pdf'), 'new')).rejects.toThrow();
    expect(await readFile(join(dir, 'b.pdf', 'inside'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['b.pdf']);
  });

  it('removes temporary files whose writer is gone, or that are old, and keeps a running writer\'s', async () => {
    await mkdir(join(dir, 'nested'));
    const dead = join(dir, 'nested', '.x.pdf.999999999.0123456789ab.brief-tmp');
    const running = join(dir, `.y.pdf.${process.ppid}.0123456789ab.brief-tmp`);
    const old = join(dir, `.z.pdf.${process.ppid}.0123456789ab.brief-tmp`);
    for (const path of [dead, running, old]) await writeFile(path, 'partial');
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
    await utimes(old, elevenMinutesAgo, elevenMinutesAgo);
    expect(await removeStaleTempFiles(dir)).toBe(2);
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(['.y.pdf.' + process.ppid + '.0123456789ab.brief-tmp', 'nested']);
  });
});
