import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateReadme } from '../scripts/docs.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';

describe('the README', () => {
  it('documents every front-matter and config field as the schema defines it (npm run docs)', async () => {
    const readme = await readFile(join(TOOL_ROOT, 'README.md'), 'utf8');
    expect(updateReadme(readme)).toBe(readme);
  });

  it('starts with the two commands that do everything', async () => {
    const readme = await readFile(join(TOOL_ROOT, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## What you get'));
    expect(quickStart).toContain('npm run build');
    expect(quickStart).toContain('npm test');
  });

  it('runs, in .ci/run, the README\'s test command', async () => {
    const ci = await readFile(join(TOOL_ROOT, '.ci', 'run'), 'utf8');
    expect(ci.trim().split('\n').pop()).toBe('npm test');
  });

  it('lists every file of scripts/ in its project map', async () => {
    const readme = await readFile(join(TOOL_ROOT, 'README.md'), 'utf8');
    const map = readme.slice(readme.indexOf('## Project map'));
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(join(TOOL_ROOT, 'scripts'), { recursive: true })).filter((file) => /\.(ts|mjs)$/.test(file) && !file.startsWith('pipeline/plugins/'));
    for (const file of files) expect(map, file).toContain(`scripts/${file}`);
  });
});
