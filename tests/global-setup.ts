import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startNuService } from './helpers/nu-service.ts';
import { startSamples } from './helpers/samples.ts';

/**
 * Before any test: compile scripts/ the way bootstrap.mjs does, so code that runs in worker
 * threads (the Markdown workers) exists as JavaScript, as it does for a real build; then start
 * building the shared fixture (tests/helpers/samples.ts) once for every test file that reads it,
 * and the one Nu Html Checker of the run (nu-service.ts), without waiting for either: test files
 * run meanwhile, and those that need one of them wait for it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
  const { compile } = (await import('../scripts/compile.mjs')) as { compile: () => Promise<string> };
  await compile();
  const samples = await startSamples();
  project.provide('samples', samples.root);
  const nu = await startNuService();
  project.provide('vnu', nu.url);
  return async () => {
    await samples.done;
    await nu.stop();
    await rm(samples.root, { recursive: true, force: true });
  };
}
