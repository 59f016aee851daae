import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Io } from '../cli.ts';
import { updateReadme } from '../docs.ts';
import { EXIT } from '../errors.ts';
import { TOOL_ROOT } from '../paths.ts';
import { writeFileAtomic } from '../pipeline/write.ts';

/** `npm run docs`: rewrites the README's reference tables from the schema. */
export async function docs(_argv: string[], io: Io): Promise<number> {
  const path = join(TOOL_ROOT, 'README.md');
  const before = await readFile(path, 'utf8');
  const after = updateReadme(before);
  if (after !== before) await writeFileAtomic(path, after);
  io.stdout.write(after === before ? 'README.md is up to date.\n' : 'README.md: reference tables updated.\n');
  return EXIT.ok;
}
