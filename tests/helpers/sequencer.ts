import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order files start in: vitest's own (longest first, from the last run's durations), except
 * that a file which waits for the shared fixture as it loads (`= await samples(`, see
 * samples.ts) starts after the first third of the files, when global setup's build of that
 * fixture has long finished, rather than holding a worker idle at the start of the run.
 */
export default class FixtureLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (file: TestSpecification) => /^const \w+ = await samples\(/m.test(readFileSync(file.moduleId, 'utf8'));
    const later = sorted.filter(waits);
    const first = sorted.filter((file) => !waits(file));
    const at = Math.ceil(first.length / 3);
    return [...first.slice(0, at), ...later, ...first.slice(at)];
  }
}
