import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';

/** Every module a file of scripts/ imports (static, dynamic, type-only), as paths from scripts/, read by TypeScript's parser. */
async function importsOf(folder: string): Promise<{ file: string; imports: string[] }[]> {
  const scripts = join(TOOL_ROOT, 'scripts');
  const files = (await readdir(join(scripts, folder), { recursive: true })).filter((file) => file.endsWith('.ts'));
  return Promise.all(
    files.map(async (name) => {
      const path = join(scripts, folder, name);
      const info = ts.preProcessFile(await readFile(path, 'utf8'), true, true);
      const imports = info.importedFiles.map((imported) => imported.fileName).filter((specifier) => specifier.startsWith('.'));
      return { file: relative(scripts, path), imports: imports.map((specifier) => relative(scripts, resolve(dirname(path), specifier))) };
    }),
  );
}

describe('the architecture', () => {
  it('keeps the build free of the checks: nothing in scripts/pipeline imports scripts/check', async () => {
    const modules = await importsOf('pipeline');
    expect(modules.length).toBeGreaterThan(20);
    const intoCheck = modules.flatMap(({ file, imports }) => imports.filter((path) => path.split(sep)[0] === 'check').map((path) => `${file} → ${path}`));
    expect(intoCheck).toEqual([]);
  });

  it('sees an import of scripts/check when there is one (the test above can fail)', async () => {
    const modules = await importsOf('commands');
    expect(modules.find((module) => module.file === join('commands', 'check.ts'))?.imports).toContain(join('check', 'check-built.ts'));
  });
});
