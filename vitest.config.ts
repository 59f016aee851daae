import { defineConfig } from 'vitest/config';
import FixtureLastSequencer from './tests/helpers/sequencer.ts';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Real Chromium and real validators: give them time, but never hide a hang.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers than that only makes Chrome-heavy files fight.
    maxWorkers: 2,
    pool: 'forks',
    // One process per worker for all its files, modules loaded once: measured on 2 idle cores, the
    // suite took 139 s and 186 s of CPU against 158 s and 242 s with a fresh process per file. Test
    // files share no mocks and write only their own temporary folders, so nothing leaks between them.
    isolate: false,
    // Files that wait for the shared fixture as they load start once it is built (sequencer.ts).
    sequence: { sequencer: FixtureLastSequencer },
  },
});
