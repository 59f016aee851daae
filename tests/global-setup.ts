import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { buildSamples } from './helpers/samples.ts';

/**
 * Before any test: compile scripts/ the way bootstrap.mjs does, so code that runs in worker
 * threads (the Markdown workers) exists as JavaScript, as it does for a real build; then build
 * the shared fixture (tests/helpers/samples.ts) once for every test file that reads it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
  const { compile } = (await import('../scripts/compile.mjs')) as { compile: () => Promise<string> };
  await compile();
  const root = await buildSamples();
  project.provide('samples', root);
  return () => rm(root, { recursive: true, force: true });
}
