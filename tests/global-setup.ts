import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startNuService } from './helpers/nu-service.ts';
import { buildSamples } from './helpers/samples.ts';

/**
 * Before any test: compile scripts/ the way bootstrap.mjs does, so code that runs in worker
 * threads (the Markdown workers) exists as JavaScript, as it does for a real build; then build
 * the shared fixture (tests/helpers/samples.ts) once for every test file that reads it; then
 * start the one Nu Html Checker of the run (nu-service.ts), after the samples so that its Java
 * virtual machine does not compete with their build, and without waiting for it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
  const { compile } = (await import('../scripts/compile.mjs')) as { compile: () => Promise<string> };
  await compile();
  const root = await buildSamples();
  project.provide('samples', root);
  const nu = await startNuService();
  project.provide('vnu', nu.url);
  return async () => {
    await nu.stop();
    await rm(root, { recursive: true, force: true });
  };
}
