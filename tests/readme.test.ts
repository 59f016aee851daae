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

describe('what the README and the usage text promise', () => {
  it('gives the one --jobs default the code uses: cores + 1', async () => {
    const { availableParallelism } = await import('node:os');
    const { defaultJobs } = await import('../scripts/pipeline/settings.ts');
    const { BUILD_HELP } = await import('../scripts/commands/build.ts');
    expect(defaultJobs()).toBe(availableParallelism() + 1);
    const readme = await readFile(join(TOOL_ROOT, 'README.md'), 'utf8');
    const defaults = [...readme.matchAll(/--jobs[^\n]*?(?:default: |\| )(cores[^|)\n,]*)/g)].map((match) => match[1]!.trim());
    expect(defaults.length).toBeGreaterThanOrEqual(2);
    for (const stated of defaults) expect(stated).toBe('cores + 1');
    expect(BUILD_HELP).toMatch(/--jobs N +briefs built at once \(default: cores \+ 1\)/);
  });

  it('decides, in package.json allowScripts, for every dependency that has an install script', async () => {
    const pkg = JSON.parse(await readFile(join(TOOL_ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    const lock = JSON.parse(await readFile(join(TOOL_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const withScripts: string[] = [];
    for (const path of Object.keys(lock.packages)) {
      if (!path.startsWith('node_modules/')) continue;
      const manifest = JSON.parse(await readFile(join(TOOL_ROOT, path, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; scripts?: Record<string, string> };
      if (['preinstall', 'install', 'postinstall'].some((script) => manifest.scripts?.[script])) withScripts.push(manifest.name!);
    }
    expect(withScripts.sort()).toEqual(['esbuild', 'puppeteer', 'vnu-jar']);
    // esbuild checks its platform binary; brief finds or installs Chrome itself on first build;
    // the tests run vnu.jar with the system java that npm test installs, not a downloaded JRE.
    expect(pkg.allowScripts).toEqual({ esbuild: true, puppeteer: false, 'vnu-jar': false });
  });
});
